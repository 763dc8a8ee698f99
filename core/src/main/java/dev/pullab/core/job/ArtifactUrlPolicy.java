package dev.pullab.core.job;

import dev.pullab.core.url.UrlRedaction;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which URLs a test VM may be told to fetch: every artifact of a job definition ({@code kernel}, {@code modules},
 * {@code rootfs}, {@code kselftest}, {@code ramdisk}, {@code initrd}, {@code dtb}) and an LTP {@code skipfile} given
 * as a URL. The lab config's {@code artifact_urls} block sets the two opt-ins; {@link JobTranslator} refuses a job
 * with any URL this policy refuses, and the VM applies the same rules again before each download
 * ({@link #vmParams()}, {@code vm-tests/lib/test_lib.sh}).
 *
 * <p>A URL is refused when:
 * <ul>
 *   <li>its scheme is not {@code https} ({@code http} too with {@code allow_http}); {@code file}, {@code s3},
 *       {@code ftp} and every other scheme always;</li>
 *   <li>it carries user info ({@code https://user:token@host/...}): credentials would be copied into params.env,
 *       stage logs and the runs table;</li>
 *   <li>its host is an IP address that is loopback, link-local (the cloud metadata service {@code 169.254.169.254}),
 *       private, shared (CGNAT), unspecified, multicast or reserved, also as an IPv4-mapped, IPv4-compatible or NAT64
 *       IPv6 address, unless {@code allow_private} lists a range holding it;</li>
 *   <li>its host is an IPv4 address not in canonical dotted-decimal form ({@code 2852039166}, {@code 0x7f.1},
 *       {@code 0177.0.0.1}, {@code 127.1}): resolvers read these as addresses, and no artifact server needs them;</li>
 *   <li>its host is a name for this machine or its network: {@code localhost}, {@code *.localhost},
 *       {@code *.localdomain}, {@code *.local}, {@code *.internal} ({@code metadata.google.internal},
 *       {@code instance-data.ec2.internal}), {@code *.home.arpa}, or a single label without a dot (resolved through
 *       the VM's search domains).</li>
 * </ul>
 * A public name that resolves to a private address is not caught here (no DNS at translation); the VM resolves the
 * host before downloading and refuses such addresses itself.
 *
 * @param allowHttp    {@code artifact_urls.allow_http}: plain {@code http} URLs are accepted too
 * @param allowPrivate {@code artifact_urls.allow_private}: address ranges accepted although non-public (e.g. a lab
 *                     mirror at {@code 10.1.2.3}, or {@code 127.0.0.1/32} for local runs)
 */
public record ArtifactUrlPolicy(boolean allowHttp, List<AddressRange> allowPrivate) {

    /** The lab config key of this block. */
    public static final String CONFIG_KEY = "artifact_urls";
    /** params.env: {@code 1} when plain http is allowed, else {@code 0}. */
    public static final String ALLOW_HTTP_PARAM = "PULLAB_ALLOW_HTTP";
    /** params.env: the allowed non-public ranges, comma-separated (empty: none). */
    public static final String ALLOW_PRIVATE_PARAM = "PULLAB_ALLOW_PRIVATE_URLS";

    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final List<String> INTERNAL_SUFFIXES =
            List.of(".localhost", ".localdomain", ".local", ".internal", ".home.arpa");
    private static final List<String> INTERNAL_NAMES = List.of("localhost", "localhost.localdomain");
    /** The non-public IPv4 ranges, with what they are. */
    private static final List<Named> IPV4_SPECIAL = List.of(
            new Named(AddressRange.parse("0.0.0.0/8"), "an unspecified (\"this network\") address"),
            new Named(AddressRange.parse("127.0.0.0/8"), "a loopback address"),
            new Named(AddressRange.parse("169.254.0.0/16"), "a link-local address (cloud metadata service)"),
            new Named(AddressRange.parse("10.0.0.0/8"), "a private address"),
            new Named(AddressRange.parse("172.16.0.0/12"), "a private address"),
            new Named(AddressRange.parse("192.168.0.0/16"), "a private address"),
            new Named(AddressRange.parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
            new Named(AddressRange.parse("192.0.0.0/24"), "a reserved (IETF protocol) address"),
            new Named(AddressRange.parse("198.18.0.0/15"), "a reserved (benchmarking) address"),
            new Named(AddressRange.parse("224.0.0.0/4"), "a multicast address"),
            new Named(AddressRange.parse("240.0.0.0/4"), "a reserved address"));
    private static final List<Named> IPV6_SPECIAL = List.of(
            new Named(AddressRange.parse("::/128"), "an unspecified address"),
            new Named(AddressRange.parse("::1/128"), "a loopback address"),
            new Named(AddressRange.parse("fe80::/10"), "a link-local address"),
            new Named(AddressRange.parse("fec0::/10"), "a site-local address"),
            new Named(AddressRange.parse("fc00::/7"), "a private (unique local) address"),
            new Named(AddressRange.parse("ff00::/8"), "a multicast address"));
    /** NAT64's well-known prefix: the last 32 bits are an IPv4 address. */
    private static final AddressRange NAT64 = AddressRange.parse("64:ff9b::/96");

    public ArtifactUrlPolicy {
        allowPrivate = List.copyOf(allowPrivate);
    }

    /** https only, no non-public address. */
    public static ArtifactUrlPolicy defaults() {
        return new ArtifactUrlPolicy(false, List.of());
    }

    /**
     * Why {@code url} must not be fetched by a test VM, or empty when it may be.
     *
     * @param what names the parameter in the message, e.g. {@code artifact 'kernel'}
     * @return {@code <what> refused: <reason>: <url without user info>}
     */
    public Optional<String> refuse(String what, String url) {
        Objects.requireNonNull(what, "what");
        return reason(url).map(reason -> what + " refused: " + reason + ": " + UrlRedaction.shown(url));
    }

    /**
     * The params.env variables passing this policy to the VM: {@link #ALLOW_HTTP_PARAM} and
     * {@link #ALLOW_PRIVATE_PARAM}.
     */
    public Map<String, String> vmParams() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(ALLOW_HTTP_PARAM, allowHttp ? "1" : "0");
        params.put(ALLOW_PRIVATE_PARAM, String.join(",", allowPrivate.stream().map(AddressRange::text).toList()));
        return params;
    }

    private Optional<String> reason(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("empty URL");
        }
        if (UrlRedaction.hasUserInfo(url)) {
            return Optional.of("user info (credentials) in the URL is not accepted");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") && !allowHttp) {
            return Optional.of("plain http (https only unless the lab config sets " + CONFIG_KEY + ".allow_http)");
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return Optional.of("not an " + (allowHttp ? "http(s)" : "https") + " URL");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("user info (credentials) in the URL is not accepted");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            // java.net.URI takes no host from "0x7f.1" or "127.1" (a top label must start with a letter) but curl
            // does: say what the authority is when it is an address in disguise
            String authority = Objects.requireNonNullElse(uri.getRawAuthority(), "");
            String host = authority.replaceFirst(":[0-9]*$", "");
            return hostReason(host).or(() -> Optional.of("no host name"));
        }
        return hostReason(uri.getHost());
    }

    private Optional<String> hostReason(String rawHost) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.isEmpty()) {
            return Optional.of("no host name");
        }
        if (host.startsWith("[")) {
            return ipv6(host).map(this::addressReason).orElse(Optional.of("host " + host + " is not an IP address"));
        }
        String[] labels = host.split("\\.", -1);
        if (NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches()) {
            // resolvers read a host ending in a number as an IPv4 address, in decimal, octal or hex parts
            if (!CANONICAL_IPV4.matcher(host).matches()) {
                return Optional.of("host " + host + " is an IPv4 address in a non-canonical spelling (decimal, octal,"
                        + " hex or fewer than four parts)");
            }
            return addressReason(ipv4(host));
        }
        if (INTERNAL_NAMES.contains(host) || INTERNAL_SUFFIXES.stream().anyMatch(host::endsWith)) {
            return Optional.of("host " + host + " names this machine or an internal network");
        }
        if (!host.contains(".")) {
            return Optional.of("host " + host + " is a single-label name (resolved through the VM's search domains)");
        }
        return Optional.empty();
    }

    private Optional<String> addressReason(InetAddress address) {
        Optional<String> kind = kind(address);
        if (kind.isEmpty() || allowPrivate.stream().anyMatch(range -> range.contains(address))) {
            return Optional.empty();
        }
        return Optional.of("host " + address.getHostAddress() + " is " + kind.get() + " (allowed only when the lab "
                + "config's " + CONFIG_KEY + ".allow_private lists its range)");
    }

    /** What is not public about {@code address}, or empty for a public address. */
    static Optional<String> kind(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] bytes = v6.getAddress();
            boolean compatible = Arrays.equals(Arrays.copyOf(bytes, 12), new byte[12]);
            Optional<String> special = IPV6_SPECIAL.stream().filter(n -> n.range().contains(v6)).map(Named::what)
                    .findFirst();
            if (special.isPresent()) {
                return special;
            }
            if (compatible || NAT64.contains(v6)) {
                // ::a.b.c.d and 64:ff9b::a.b.c.d reach the embedded IPv4 address
                return kind(ipv4(Arrays.copyOfRange(bytes, 12, 16))).map(what -> what + " (embedded in IPv6)");
            }
            return Optional.empty();
        }
        return IPV4_SPECIAL.stream().filter(n -> n.range().contains(address)).map(Named::what).findFirst();
    }

    private static Inet4Address ipv4(String canonical) {
        String[] parts = canonical.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return ipv4(bytes);
    }

    private static Inet4Address ipv4(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are an IPv4 address", e);
        }
    }

    /** A bracketed IPv6 literal (no DNS: the brackets make {@link InetAddress} parse it or fail). */
    private static Optional<InetAddress> ipv6(String bracketed) {
        try {
            return Optional.of(InetAddress.getByName(bracketed));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private record Named(AddressRange range, String what) {
    }

    /**
     * An address range of {@code artifact_urls.allow_private}: {@code a.b.c.d/n}, {@code v6::/n}, or one address.
     *
     * @param text    as configured, normalised ({@code 10.0.0.0/8}); an address alone gets {@code /32} or {@code /128}
     * @param network the range's first address
     * @param prefix  the prefix length
     */
    public record AddressRange(String text, InetAddress network, int prefix) {

        public AddressRange {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(network, "network");
            int bits = network.getAddress().length * 8;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix length must be 0 to " + bits + ", got " + prefix);
            }
        }

        /**
         * Parses {@code 10.0.0.0/8}, {@code fd00::/8}, {@code 127.0.0.1} (as {@code /32}).
         *
         * @throws IllegalArgumentException naming the problem when {@code text} is not a canonical IPv4 or an IPv6
         *                                  address with an optional prefix length
         */
        public static AddressRange parse(String text) {
            String trimmed = Objects.requireNonNull(text, "text").trim();
            int slash = trimmed.indexOf('/');
            String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
            InetAddress network;
            if (CANONICAL_IPV4.matcher(address).matches()) {
                network = ipv4(address);
            } else if (address.contains(":") && !address.contains("[") && !address.contains("%")) {
                network = ipv6("[" + address + "]").filter(Inet6Address.class::isInstance).orElseThrow(() ->
                        new IllegalArgumentException("not an IP address or CIDR range: \"" + text + "\""));
            } else {
                throw new IllegalArgumentException("not an IP address or CIDR range: \"" + text + "\"");
            }
            int bits = network.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = trimmed.substring(slash + 1);
                if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bits) {
                    throw new IllegalArgumentException("not an IP address or CIDR range: \"" + text
                            + "\" (prefix length 0 to " + bits + ")");
                }
                prefix = Integer.parseInt(length);
            }
            return new AddressRange(network.getHostAddress() + "/" + prefix, network, prefix);
        }

        /** Whether {@code address} is in this range (an IPv4 address is never in an IPv6 range, nor the reverse). */
        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            byte[] n = network.getAddress();
            if (a.length != n.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != n[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (n[full] & mask);
        }
    }
}
