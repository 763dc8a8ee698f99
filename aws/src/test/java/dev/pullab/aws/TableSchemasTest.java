package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.enhanced.dynamodb.TableMetadata;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/** The written-out schemas map every property of the annotated beans exactly as {@code TableSchema.fromBean}. */
class TableSchemasTest {

    static Stream<Arguments> schemas() {
        return Stream.of(Arguments.of(CursorItem.class, TableSchemas.cursor()),
                Arguments.of(JobItem.class, TableSchemas.job()),
                Arguments.of(RunItem.class, TableSchemas.run()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    <T> void givenEveryPropertySet_whenMapped_thenSameItemAsTheBeanSchema(Class<T> type, TableSchema<T> written)
            throws Exception {
        TableSchema<T> bean = TableSchema.fromBean(type);
        T item = everyPropertySet(type);

        assertThat(written.itemToMap(item, false)).isEqualTo(bean.itemToMap(item, false));
        assertThat(written.attributeNames()).containsExactlyInAnyOrderElementsOf(bean.attributeNames());
        assertThat(bean.itemToMap(written.mapToItem(bean.itemToMap(item, true)), true))
                .isEqualTo(bean.itemToMap(item, true));
        TableMetadata metadata = written.tableMetadata();
        assertThat(metadata.primaryPartitionKey()).isEqualTo(bean.tableMetadata().primaryPartitionKey());
        assertThat(metadata.primarySortKey()).isEqualTo(bean.tableMetadata().primarySortKey());
    }

    /** A bean with a distinct value in every property, so a property the written schema lacks shows. */
    private static <T> T everyPropertySet(Class<T> type) throws Exception {
        T item = type.getConstructor().newInstance();
        int n = 0;
        for (Method setter : type.getMethods()) {
            if (!setter.getName().startsWith("set") || setter.getParameterCount() != 1) {
                continue;
            }
            n++;
            Class<?> parameter = setter.getParameterTypes()[0];
            Object value;
            if (parameter == String.class) {
                value = setter.getName() + "-" + n;
            } else if (parameter == Long.class) {
                value = 1000L + n;
            } else if (parameter == Integer.class) {
                value = n;
            } else if (parameter == List.class) {
                value = List.of("a" + n, "b" + n);
            } else if (parameter == Set.class) {
                value = Set.of("x" + n, "y" + n);
            } else {
                throw new AssertionError("no sample value for " + setter + ": extend this test");
            }
            setter.invoke(item, value);
        }
        assertThat(n).isPositive();
        return item;
    }
}
