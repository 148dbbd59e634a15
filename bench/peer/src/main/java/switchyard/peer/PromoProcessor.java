/* PromoProcessor.java — the peer's one stateful processor, one instance per task (input
 * partition): decodes events and profile updates, keeps instances, first names and the
 * timer index in RocksDB stores (changelogged, cached), and forwards the journey's framed
 * outputs to the sinks. Time is event time per partition as in switchyard's
 * time.mode = event: before an event later than the partition's stream time, every timer
 * due before that event fires; a stream-time punctuator scans the same index. Not here:
 * dead letters (an undecodable record is counted and skipped). */
package switchyard.peer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

final class PromoProcessor implements Processor<byte[], byte[], byte[], byte[]>,
                                      Promo.Effects {
    static final String INSTANCES = "instances";
    static final String TIMERS = "timers";
    static final String PROFILES = "profiles";
    static final String META = "meta";
    private static final String STREAM_TIME = "stream_time";

    private final String profilesTopic;
    private final Duration punctuateEvery; /* stream time between two punctuations */
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> instances;
    private KeyValueStore<String, String> profiles;
    private KeyValueStore<String, Long> meta;
    private TimerIndex timers;
    private Frames frames;
    private Promo promo;
    private long streamTimeMs = Long.MIN_VALUE;
    /* Records skipped, over every task and thread. */
    static final java.util.concurrent.atomic.AtomicLong UNDECODABLE =
        new java.util.concurrent.atomic.AtomicLong();

    PromoProcessor(String profilesTopic, Duration punctuateEvery) {
        this.profilesTopic = profilesTopic;
        this.punctuateEvery = punctuateEvery;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        instances = context.getStateStore(INSTANCES);
        profiles = context.getStateStore(PROFILES);
        meta = context.getStateStore(META);
        KeyValueStore<Bytes, byte[]> index = context.getStateStore(TIMERS);
        timers = new TimerIndex(index);
        frames = new Frames();
        promo = new Promo(frames, this);
        Long restored = meta.get(STREAM_TIME);
        streamTimeMs = restored == null ? Long.MIN_VALUE : restored;
        context.schedule(punctuateEvery, PunctuationType.STREAM_TIME, t -> fireDue());
    }

    /* The punctuator: timers due before the stream time, as the next later event would
     * fire them (usually none left: process() fires them first). */
    private void fireDue() {
        if (streamTimeMs != Long.MIN_VALUE)
            fireUpTo(streamTimeMs - 1);
    }

    private void fireUpTo(long limitMs) {
        List<TimerIndex.Timer> due;
        while (!(due = timers.takeDue(limitMs)).isEmpty()) {
            for (TimerIndex.Timer t : due) {
                Instance inst = Instance.decode(instances.get(t.contact()));
                Instance next = promo.onTimer(inst, t.contact(), t.dueMs(), t.branchEnteredMs());
                if (next != null)
                    instances.put(t.contact(), next.encode());
            }
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        boolean profile = context.recordMetadata()
            .map(m -> m.topic().equals(profilesTopic)).orElse(false);
        GenericRecord r = frames.read(record.value(),
                                      profile ? Frames.PROFILE_UPDATE : Frames.ENGAGEMENT_EVENT);
        if (r == null) {
            UNDECODABLE.incrementAndGet();
            return;
        }
        if (profile) {
            profileApply(r);
            return;
        }
        Promo.Event ev = Promo.Event.of(r);
        if (ev.atMs() > streamTimeMs) { /* so ev.atMs() - 1 is defined */
            fireUpTo(ev.atMs() - 1);
            streamTimeMs = ev.atMs();
            meta.put(STREAM_TIME, streamTimeMs);
        }
        Instance inst = Instance.decode(instances.get(ev.contact()));
        Instance next = promo.onEvent(inst, ev);
        if (next != null)
            instances.put(ev.contact(), next.encode());
    }

    /* The one attribute the journey reads: first_name, when it is a string. */
    private void profileApply(GenericRecord r) {
        String contact = r.get("contact_id").toString();
        @SuppressWarnings("unchecked")
        Map<Object, Object> set = (Map<Object, Object>) r.get("set");
        for (Map.Entry<Object, Object> e : set.entrySet()) {
            if (!"first_name".equals(e.getKey().toString()))
                continue;
            if (e.getValue() instanceof CharSequence s)
                profiles.put(contact, s.toString());
            else
                profiles.delete(contact);
        }
        for (Object name : (List<?>) r.get("unset"))
            if ("first_name".equals(name.toString()))
                profiles.delete(contact);
    }

    /* Stamped with the wall clock, as switchyard's producer stamps its outputs: stamped
     * with event time, weeks-old records would fall to the broker's time retention. */
    private void forward(String sink, String contact, byte[] frame) {
        byte[] key = contact.getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(key, frame, System.currentTimeMillis()), sink);
    }

    @Override
    public void decision(String contact, byte[] frame) {
        forward(Peer.SINK_DECISIONS, contact, frame);
    }

    @Override
    public void action(String channel, String contact, byte[] frame) {
        forward(Peer.SINK_ACTIONS + channel, contact, frame);
    }

    @Override
    public void contactUpdate(String contact, byte[] frame) {
        forward(Peer.SINK_UPDATES, contact, frame);
    }

    @Override
    public void timerAdd(String contact, long dueMs, long branchEnteredMs) {
        timers.add(contact, dueMs, branchEnteredMs);
    }

    @Override
    public String firstName(String contact) {
        return profiles.get(contact);
    }
}
