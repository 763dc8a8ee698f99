package dev.pullab.core.poll;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Cursors held in memory: for dry runs without a cursor table, and for tests. Never moves a cursor backwards. */
public final class InMemoryCursorStore implements CursorStore {

    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();

    @Override
    public Cursor read(String runtime) {
        return cursors.getOrDefault(runtime, Cursor.initial());
    }

    @Override
    public boolean save(String runtime, Cursor cursor) {
        boolean[] saved = {false};
        cursors.compute(runtime, (k, stored) -> {
            if (stored != null && stored.position() > cursor.position()) {
                return stored;
            }
            saved[0] = true;
            return cursor;
        });
        return saved[0];
    }
}
