/* Instance.java — one contact's instance of the email promo, as the peer stores it in its
 * RocksDB "instances" store: active or done, which occurrence (entries so far), when it
 * entered the branch and the outcomes of the promo email seen since. 14 bytes. The peer's
 * own layout, not switchyard's state format. */
package switchyard.peer;

import java.nio.ByteBuffer;

final class Instance {
    static final int SEEN_DELIVERED = 1;
    static final int SEEN_OPENED = 2;
    static final int SEEN_BOUNCED = 4;
    static final int SEEN_BLOCKED = 8;

    boolean active;
    int seen;            /* SEEN_* bits since it entered the branch */
    int occurrence;      /* 1 on the first entry, +1 on each re-entry */
    long branchEnteredMs; /* when it reached the branch "outcome" (event time) */

    byte[] encode() {
        return ByteBuffer.allocate(14).put((byte) (active ? 1 : 0)).put((byte) seen)
            .putInt(occurrence).putLong(branchEnteredMs).array();
    }

    static Instance decode(byte[] b) {
        if (b == null)
            return null;
        ByteBuffer in = ByteBuffer.wrap(b);
        Instance i = new Instance();
        i.active = in.get() != 0;
        i.seen = in.get();
        i.occurrence = in.getInt();
        i.branchEnteredMs = in.getLong();
        return i;
    }
}
