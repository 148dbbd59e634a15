/* Promo.java — examples/journeys/coffee_email_promo.yaml written out by hand, with
 * switchyard's semantics (docs/journeys.md): entry on custom.promo_eligible (re-entry
 * always), exit on email.unsubscribed, the send, the branch over the email's outcomes (by
 * message id or by journey and node) with its 24 h and 72 h timers, and the nodes after it.
 * Decides and builds the output records; storing and producing them is Effects' job. Not
 * an interpreter of journey files: no consent, caps, quiet hours or deduplication. */
package switchyard.peer;

import java.util.Collections;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

final class Promo {
    static final String JOURNEY = "coffee_email_promo";
    static final int VERSION = 1;
    static final long HOUR_MS = 3_600_000L;
    static final long NOT_OPENED_AFTER_MS = 24 * HOUR_MS; /* also the `within` of opened */
    static final long OTHERWISE_AFTER_MS = 72 * HOUR_MS;

    /* What the decisions do: produce records, set timers, read the profile. */
    interface Effects {
        void decision(String contact, byte[] frame);

        void action(String channel, String contact, byte[] frame);

        void contactUpdate(String contact, byte[] frame);

        void timerAdd(String contact, long dueMs, long branchEnteredMs);

        String firstName(String contact); /* null when the profile has none */
    }

    /* The fields of an engagement event the journey reads. */
    record Event(String id, String contact, long atMs, String channel, String type,
                 String name, String messageId, String journeyId, String nodeId) {
        static Event of(GenericRecord r) {
            return new Event(str(r, "event_id"), str(r, "contact_id"),
                             (Long) r.get("occurred_at"), str(r, "channel"), str(r, "type"),
                             str(r, "name"), str(r, "message_id"), str(r, "journey_id"),
                             str(r, "node_id"));
        }

        private static String str(GenericRecord r, String field) {
            Object v = r.get(field);
            return v == null ? null : v.toString();
        }
    }

    private final Frames frames;
    private final Effects fx;
    private final GenericData.EnumSymbol[] causes;

    Promo(Frames frames, Effects fx) {
        this.frames = frames;
        this.fx = fx;
        Schema cause = frames.decision.getField("cause").schema();
        causes = new GenericData.EnumSymbol[] {new GenericData.EnumSymbol(cause, "ENTRY"),
            new GenericData.EnumSymbol(cause, "EVENT"), new GenericData.EnumSymbol(cause, "TIMER")};
    }

    private static final int ENTRY = 0, EVENT = 1, TIMER = 2;

    /* The contact's instance after ev (inst: its stored one, or null), or null when
     * nothing changed. */
    Instance onEvent(Instance inst, Event ev) {
        if (inst != null && inst.active)
            return onEventActive(inst, ev);
        if (!"CUSTOM".equals(ev.channel) || !"CUSTOM".equals(ev.type)
            || !"promo_eligible".equals(ev.name))
            return null;
        Instance next = new Instance();
        next.active = true;
        next.occurrence = inst == null ? 1 : inst.occurrence + 1;
        next.branchEnteredMs = ev.atMs;
        decision(ev.contact, null, "promo_email", null, ENTRY, ev.id, ev.atMs);
        action(ev.contact, "EMAIL", "autumn_promo", "promo_email", next.occurrence,
               Collections.emptyMap(), ev.atMs);
        decision(ev.contact, "promo_email", "outcome", null, ENTRY, ev.id, ev.atMs);
        fx.timerAdd(ev.contact, ev.atMs + NOT_OPENED_AFTER_MS, ev.atMs);
        fx.timerAdd(ev.contact, ev.atMs + OTHERWISE_AFTER_MS, ev.atMs);
        return next;
    }

    private Instance onEventActive(Instance inst, Event ev) {
        if ("EMAIL".equals(ev.channel) && "UNSUBSCRIBED".equals(ev.type)) {
            inst.active = false;
            decision(ev.contact, "outcome", "exit:email.unsubscribed", null, EVENT, ev.id,
                     ev.atMs);
            return inst;
        }
        /* Only outcomes of this stay, of this message, count. */
        if (ev.atMs < inst.branchEnteredMs || !"EMAIL".equals(ev.channel))
            return null;
        int bit = switch (ev.type) {
            case "DELIVERED" -> Instance.SEEN_DELIVERED;
            case "OPENED" -> Instance.SEEN_OPENED;
            case "BOUNCED" -> Instance.SEEN_BOUNCED;
            case "BLOCKED" -> Instance.SEEN_BLOCKED;
            default -> 0;
        };
        if (bit == 0 || !refersToPromoEmail(inst, ev))
            return null;
        inst.seen |= bit;
        branchDecide(inst, ev.contact, EVENT, ev.id, ev.atMs);
        return inst;
    }

    private static boolean refersToPromoEmail(Instance inst, Event ev) {
        if (ev.messageId != null)
            return ev.messageId.equals(
                ActionId.of(ev.contact, JOURNEY, VERSION, "promo_email", inst.occurrence));
        return JOURNEY.equals(ev.journeyId) && "promo_email".equals(ev.nodeId);
    }

    /* A timer set when the contact entered the branch at branchEnteredMs fell due. */
    Instance onTimer(Instance inst, String contact, long dueMs, long branchEnteredMs) {
        if (inst == null || !inst.active || inst.branchEnteredMs != branchEnteredMs)
            return null; /* stale: the contact moved on since */
        return branchDecide(inst, contact, TIMER, null, dueMs) ? inst : null;
    }

    /* The first path that holds at t, taken; false when none does yet. */
    private boolean branchDecide(Instance inst, String contact, int cause, String eventId,
                                 long t) {
        long in = inst.branchEnteredMs;
        boolean delivered = (inst.seen & Instance.SEEN_DELIVERED) != 0;
        boolean opened = (inst.seen & Instance.SEEN_OPENED) != 0;
        String path, to;
        if (t <= in + NOT_OPENED_AFTER_MS && delivered && opened) {
            path = "opened";
            to = "discount_email";
        } else if (t >= in + NOT_OPENED_AFTER_MS && delivered && !opened) {
            path = "not_opened";
            to = "push_nudge";
        } else if ((inst.seen & Instance.SEEN_BOUNCED) != 0) {
            path = "bounced";
            to = "flag_cleansing";
        } else if ((inst.seen & Instance.SEEN_BLOCKED) != 0) {
            path = "blocked";
            to = "suppress";
        } else if (t >= in + OTHERWISE_AFTER_MS) {
            path = "otherwise";
            to = "done";
        } else {
            return false;
        }
        decision(contact, "outcome", to, path, cause, eventId, t);
        walkToDone(inst, contact, to, cause, eventId, t);
        inst.active = false;
        return true;
    }

    /* From the node the branch chose to the exit node "done". */
    private void walkToDone(Instance inst, String contact, String node, int cause,
                            String eventId, long t) {
        switch (node) {
            case "discount_email" -> {
                String name = fx.firstName(contact);
                action(contact, "EMAIL", "personal_discount", node, inst.occurrence,
                       Map.of("greeting", "Hi " + (name == null ? "there" : name)
                                  + ", here is your personal discount"), t);
            }
            case "push_nudge" -> action(contact, "PUSH", "autumn_promo_reminder", node,
                                        inst.occurrence, Collections.emptyMap(), t);
            case "flag_cleansing" -> update(contact, node, "data_cleansing", t);
            case "suppress" -> update(contact, node, "suppression", t);
            default -> {
                return; /* done: the exit node itself */
            }
        }
        decision(contact, node, "done", null, cause, eventId, t);
    }

    private void decision(String contact, String from, String to, String path, int cause,
                          String eventId, long t) {
        GenericRecord d = new GenericData.Record(frames.decision);
        d.put("contact_id", contact);
        d.put("journey_id", JOURNEY);
        d.put("journey_version", VERSION);
        d.put("from_node", from);
        d.put("to_node", to);
        d.put("path", path);
        d.put("cause", causes[cause]);
        d.put("cause_event_id", eventId);
        d.put("decided_at", t);
        fx.decision(contact, frames.writeDecision(d));
    }

    private void action(String contact, String channel, String template, String node,
                        int occurrence, Map<String, String> params, long t) {
        Schema s = frames.action;
        GenericRecord a = new GenericData.Record(s);
        a.put("action_id", ActionId.of(contact, JOURNEY, VERSION, node, occurrence));
        a.put("contact_id", contact);
        a.put("channel", new GenericData.EnumSymbol(s.getField("channel").schema(), channel));
        a.put("template_id", template);
        a.put("not_before", t);
        a.put("journey_id", JOURNEY);
        a.put("journey_version", VERSION);
        a.put("node_id", node);
        a.put("occurrence", occurrence);
        a.put("tracking_number", null);
        a.put("params", params);
        fx.action(channel.toLowerCase(java.util.Locale.ROOT), contact, frames.writeAction(a));
    }

    private void update(String contact, String node, String list, long t) {
        Schema s = frames.update;
        GenericRecord u = new GenericData.Record(s);
        u.put("contact_id", contact);
        u.put("journey_id", JOURNEY);
        u.put("journey_version", VERSION);
        u.put("node_id", node);
        u.put("op", new GenericData.EnumSymbol(s.getField("op").schema(), "ADD_TO_LIST"));
        u.put("name", list);
        u.put("value", null);
        u.put("at", t);
        fx.contactUpdate(contact, frames.writeUpdate(u));
    }
}
