package dev.pullab.core.poll;

/** Keeps one cursor per runtime. */
public interface CursorStore {

    /** The stored cursor, or {@link Cursor#initial()}. */
    Cursor read(String runtime);

    /**
     * Stores {@code cursor} unless the stored one is already further ({@link Cursor#position()} greater): a
     * cursor never moves backwards, whatever runs concurrently or re-runs.
     *
     * @return false when a further cursor was already stored (nothing written)
     */
    boolean save(String runtime, Cursor cursor);

    /**
     * Replaces the stored cursor by an earlier one, the one way a cursor moves back: only while the stored cursor is
     * still at {@code stored}'s position (a concurrent poll that moved it wins).
     *
     * @return false when the stored cursor had moved (nothing written)
     */
    boolean rewind(String runtime, Cursor stored, Cursor to);
}
