/* ActionId.java — the id of an action command as switchyard computes it
 * (processor/engine/action_id.c): two 64-bit FNV-1a style hashes over the length-prefixed
 * contact, journey, "version:occurrence" and node, each finished with the 64-bit mixer of
 * base/sy_hash.h, as 32 hex digits. Only the one-pass form: the promo has no loop. */
package switchyard.peer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

final class ActionId {
    private long a, b;

    private ActionId() {
        a = 1469598103934665603L;
        b = 0x84222325cbf29ce4L;
    }

    private void bytes(byte[] p) {
        for (byte x : p) {
            a = (a ^ (x & 0xff)) * 1099511628211L;
            b = (b ^ (x & 0xff)) * 0x100000001b3L + 0x9e3779b97f4a7c15L;
        }
    }

    private void field(String s) {
        byte[] p = s.getBytes(StandardCharsets.UTF_8);
        int n = p.length;
        bytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        bytes(p);
    }

    private static long mix64(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    /* The id of node's action for the contact's occurrence of the journey version. */
    static String of(String contact, String journey, int version, String node, int occurrence) {
        ActionId h = new ActionId();
        h.field(contact);
        h.field(journey);
        h.field(version + ":" + Integer.toUnsignedString(occurrence));
        h.field(node);
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(mix64(h.a)) + hex.toHexDigits(mix64(h.b ^ h.a));
    }
}
