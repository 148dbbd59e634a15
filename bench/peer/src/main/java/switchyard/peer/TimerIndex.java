/* TimerIndex.java — the peer's pending timers in a RocksDB key-value store, ordered by due
 * time: key = due time (8 bytes, big-endian, sign bit flipped, so bytes sort as numbers)
 * then the contact id; value = when the contact entered the branch, to tell a stale timer.
 * A scan takes every timer due at or before a limit, in (due, contact) order, as
 * switchyard fires them. Keeps the first due time in memory (a lower bound of it after a
 * restart): no scan until a timer is due, and a scan starts there, not at the first key
 * (which would walk the tombstones of every timer fired). */
package switchyard.peer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

final class TimerIndex {
    /* Timers taken per range scan; the scan is repeated until none is due. */
    private static final int SCAN_MAX = 10_000;

    record Timer(long dueMs, String contact, long branchEnteredMs) {}

    private final KeyValueStore<Bytes, byte[]> store;
    /* No timer in the store is due before this: the first due time after a scan or an
     * add; MIN_VALUE until the first scan (after a restore, unknown). */
    private long lowMs = Long.MIN_VALUE;

    TimerIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    private static byte[] dueKey(long dueMs, byte[] contact) {
        return ByteBuffer.allocate(8 + contact.length).putLong(dueMs ^ Long.MIN_VALUE)
            .put(contact).array();
    }

    void add(String contact, long dueMs, long branchEnteredMs) {
        byte[] key = dueKey(dueMs, contact.getBytes(StandardCharsets.UTF_8));
        store.put(Bytes.wrap(key), ByteBuffer.allocate(8).putLong(branchEnteredMs).array());
        lowMs = Math.min(lowMs, dueMs);
    }

    /* Removes and returns up to SCAN_MAX timers due at or before limitMs, in key order;
     * empty when none is. The scan stops at the first timer due later, which becomes the
     * bound, so an event with no timer due reads no store at all. */
    List<Timer> takeDue(long limitMs) {
        List<Timer> due = new ArrayList<>();
        if (lowMs > limitMs)
            return due;
        long next = Long.MAX_VALUE; /* the first due time left in the index */
        try (KeyValueIterator<Bytes, byte[]> it =
                 store.range(Bytes.wrap(dueKey(lowMs, new byte[0])), null)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                byte[] key = kv.key.get();
                long dueMs = ByteBuffer.wrap(key).getLong() ^ Long.MIN_VALUE;
                if (dueMs > limitMs || due.size() == SCAN_MAX) {
                    next = dueMs;
                    break;
                }
                String contact = new String(key, 8, key.length - 8, StandardCharsets.UTF_8);
                due.add(new Timer(dueMs, contact, ByteBuffer.wrap(kv.value).getLong()));
            }
        }
        for (Timer t : due)
            store.delete(Bytes.wrap(dueKey(t.dueMs, t.contact.getBytes(StandardCharsets.UTF_8))));
        lowMs = next;
        return due;
    }
}
