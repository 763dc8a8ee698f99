package dev.pullab.aws;

import dev.pullab.core.launch.ConsoleReader;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputResponse;

/** {@link ConsoleReader} on EC2: GetConsoleOutput with {@code latest=true}, base64-decoded, its last 1 MiB kept. */
public final class Ec2ConsoleReader implements ConsoleReader {

    /** The most base64 text decoded: what decodes to {@link #MAX_CONSOLE_BYTES} and a little; EC2 gives 64 KiB. */
    private static final int MAX_ENCODED_CHARS = (MAX_CONSOLE_BYTES / 3 + 1) * 4;

    private final Supplier<Ec2Client> ec2;

    public Ec2ConsoleReader(Supplier<Ec2Client> ec2) {
        this.ec2 = Lazy.of(ec2);
    }

    @Override
    public byte[] latest(String instanceId) {
        GetConsoleOutputResponse response = ec2.get().getConsoleOutput(b -> b.instanceId(instanceId).latest(true));
        return decode(response.output());
    }

    /** EC2's base64 console text decoded, its last {@link #MAX_CONSOLE_BYTES} kept; empty for none. */
    static byte[] decode(String encoded) {
        if (encoded == null || encoded.isBlank()) {
            return new byte[0];
        }
        String text = encoded.replaceAll("\\s", "");
        if (text.length() > MAX_ENCODED_CHARS) {
            // keep the end: the latest lines say how the VM ended; cut on a 4-character base64 group
            text = text.substring(text.length() - MAX_ENCODED_CHARS);
        }
        byte[] decoded = Base64.getDecoder().decode(text);
        return decoded.length <= MAX_CONSOLE_BYTES ? decoded
                : Arrays.copyOfRange(decoded, decoded.length - MAX_CONSOLE_BYTES, decoded.length);
    }
}
