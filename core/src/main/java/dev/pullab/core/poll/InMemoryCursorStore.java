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

    @Override
    public boolean rewind(String runtime, Cursor stored, Cursor to) {
        boolean[] rewound = {false};
        cursors.compute(runtime, (k, current) -> {
            long position = current == null ? Cursor.initial().position() : current.position();
            if (position != stored.position()) {
                return current;
            }
            rewound[0] = true;
            return to;
        });
        return rewound[0];
    }
}
