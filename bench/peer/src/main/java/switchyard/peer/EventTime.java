/* EventTime.java — Kafka Streams' timestamp of an input record is its event time, so
 * stream time and the punctuator run in event time as switchyard's time.mode = event
 * does: occurred_at of an EngagementEvent (its third field), updated_at of a
 * ProfileUpdate (its second), read straight from the frame without decoding the rest.
 * A record that is not such a frame keeps the partition's time (the processor skips it). */
package switchyard.peer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

final class EventTime implements TimestampExtractor {
    private final int stringsBefore; /* string fields before the timestamp */

    EventTime(int stringsBefore) {
        this.stringsBefore = stringsBefore;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object v = record.value();
        if (!(v instanceof byte[] b) || b.length < 5 || b[0] != 0)
            return Math.max(partitionTime, 0);
        int[] at = {5};
        for (int i = 0; i < stringsBefore; i++) {
            long len = varlong(b, at);
            if (len < 0 || len > b.length - at[0])
                return Math.max(partitionTime, 0);
            at[0] += (int) len;
        }
        long t = varlong(b, at);
        return t >= 0 ? t : Math.max(partitionTime, 0);
    }

    /* Avro's zig-zag varint at b[at[0]], advancing at[0]; -1 when it runs off the end. */
    private static long varlong(byte[] b, int[] at) {
        long raw = 0;
        for (int shift = 0; shift < 70 && at[0] < b.length; shift += 7) {
            int x = b[at[0]++] & 0xff;
            raw |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0)
                return (raw >>> 1) ^ -(raw & 1);
        }
        return -1;
    }
}
