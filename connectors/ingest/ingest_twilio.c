/* ingest_twilio.c — Twilio's Messaging status callbacks, inbound messages and Voice status
 * callbacks (form parameters) into engagement events: which status becomes which type,
 * the event id (the SID and the status, so a retried callback is the same event), and
 * the contact (the callback URL's contact_id, else the profiles by phone number). Not the
 * signature (ingest_sign.c). The mapping is documented in docs/connectors.md. */
#include "ingest_batch.h"

#include <assert.h>
#include <string.h>

/* What a status becomes; produces false: nothing (skipped). */
typedef struct twilio_map {
    const char *status;
    bool produces;
    sy_event_type_t type;
    const char *reason; /* props.reason, or NULL */
} twilio_map_t;

static const twilio_map_t twilio_message_maps[] = {
    {"queued", false, SY_EVENT_SENT, NULL},   {"accepted", false, SY_EVENT_SENT, NULL},
    {"scheduled", false, SY_EVENT_SENT, NULL}, {"sending", false, SY_EVENT_SENT, NULL},
    {"canceled", false, SY_EVENT_SENT, NULL},  {"sent", true, SY_EVENT_SENT, NULL},
    {"delivered", true, SY_EVENT_DELIVERED, NULL},
    {"undelivered", true, SY_EVENT_FAILED, "undelivered"},
    {"failed", true, SY_EVENT_FAILED, "failed"},
    {"read", false, SY_EVENT_SENT, NULL}, /* SMS has no read receipt type */
    {NULL, false, SY_EVENT_SENT, NULL},
};

/* Voice; completed is decided by AnsweredBy (voice_completed). */
static const twilio_map_t twilio_voice_maps[] = {
    {"queued", false, SY_EVENT_ATTEMPTED, NULL},
    {"initiated", true, SY_EVENT_ATTEMPTED, NULL},
    {"ringing", false, SY_EVENT_ATTEMPTED, NULL},
    {"in-progress", false, SY_EVENT_ATTEMPTED, NULL},
    {"completed", true, SY_EVENT_ANSWERED, NULL},
    {"busy", true, SY_EVENT_NOT_ANSWERED, "busy"},
    {"no-answer", true, SY_EVENT_NOT_ANSWERED, "no-answer"},
    {"failed", true, SY_EVENT_NOT_ATTEMPTED, "failed"},
    {"canceled", true, SY_EVENT_NOT_ATTEMPTED, "canceled"},
    {NULL, false, SY_EVENT_SENT, NULL},
};

/* Twilio's error codes for a call it refused to place to a blocked or restricted number
 * (13225 dial to a restricted number, 21216 number blocked): voice.blocked. */
static const char *const twilio_blocked_codes[] = {"13225", "21216", NULL};

static const twilio_map_t *twilio_map_find(const twilio_map_t *maps, const char *status) {
    assert(maps && status);
    for (; maps->status; maps++)
        if (strcmp(maps->status, status) == 0)
            return maps;
    return NULL;
}

/* The contact: the callback URL's contact_id, else the profiles by phone (address). */
static ingest_find_t twilio_contact(const ingest_form_t *query, const char *address,
                                    const ingest_finder_t *finder, ingest_batch_t *b,
                                    const char **contact_id) {
    char found[SY_ID_BYTES_MAX + 1];
    assert(b && contact_id);
    const char *id = query ? ingest_form_get(query, "contact_id") : NULL;
    if (id && *id) {
        *contact_id = id;
        return INGEST_FIND_FOUND;
    }
    if (!address || !*address || !finder || !finder->fn)
        return INGEST_FIND_UNKNOWN;
    ingest_find_t r = finder->fn(finder->opaque, INGEST_ADDRESS_PHONE, address, found,
                                 sizeof found);
    if (r == INGEST_FIND_FOUND && !(*contact_id = ingest_arena_strdup(&b->arena, found)))
        return INGEST_FIND_UNKNOWN;
    return r;
}

/* The type of a call status, with AnsweredBy and ErrorCode deciding between the types. */
static sy_event_type_t voice_type(const twilio_map_t *map, const ingest_form_t *form) {
    assert(map && form);
    const char *answered_by = ingest_form_get(form, "AnsweredBy");
    const char *code = ingest_form_get(form, "ErrorCode");
    if (map->type == SY_EVENT_ANSWERED && answered_by &&
        (strncmp(answered_by, "machine", 7) == 0 || strcmp(answered_by, "fax") == 0))
        return SY_EVENT_VOICEMAIL;
    for (size_t i = 0; map->type == SY_EVENT_NOT_ATTEMPTED && code && twilio_blocked_codes[i];
         i++)
        if (strcmp(code, twilio_blocked_codes[i]) == 0)
            return SY_EVENT_BLOCKED;
    return map->type;
}

/* The props a Twilio event keeps, when present. */
static const char *const twilio_props[] = {
    "ErrorCode", "ErrorMessage", "AnsweredBy", "CallDuration", "MessageStatus", "CallStatus",
    "SipResponseCode", "To", "From", "NumMedia", NULL,
};

static sy_err_t twilio_fill(const twilio_map_t *map, const ingest_form_t *form,
                            const ingest_form_t *query, sy_event_t *e, ingest_batch_t *b) {
    assert(map && form && e && b);
    e->message_id = query ? ingest_form_get(query, "action_id") : NULL;
    e->journey_id = query ? ingest_form_get(query, "journey_id") : NULL;
    e->node_id = query ? ingest_form_get(query, "node_id") : NULL;
    if (map->reason && !ingest_batch_prop(b, e, "reason", map->reason))
        return SY_ERR_NOMEM;
    for (size_t i = 0; twilio_props[i]; i++) {
        const char *v = ingest_form_get(form, twilio_props[i]);
        if (v && *v && !ingest_batch_prop(b, e, twilio_props[i], v))
            return SY_ERR_NOMEM;
    }
    return SY_OK;
}

/* The SID, status and address (whose profiles find the contact) of a callback. */
typedef struct twilio_fields {
    const char *sid;
    const char *status; /* NULL for an inbound message */
    const char *address;
    const twilio_map_t *maps;
    sy_channel_t channel;
} twilio_fields_t;

static sy_err_t twilio_fields(ingest_twilio_kind_t kind, const ingest_form_t *form,
                              twilio_fields_t *f, char *errbuf, size_t errbuf_size) {
    assert(form && f);
    const char *sid = ingest_form_get(form, "MessageSid");
    const char *status = ingest_form_get(form, "MessageStatus");
    *f = (twilio_fields_t){.sid = sid ? sid : ingest_form_get(form, "SmsSid"),
                           .status = status ? status : ingest_form_get(form, "SmsStatus"),
                           .address = ingest_form_get(form, "To"),
                           .maps = twilio_message_maps, .channel = SY_CHANNEL_SMS};
    if (kind == INGEST_TWILIO_VOICE_STATUS)
        *f = (twilio_fields_t){.sid = ingest_form_get(form, "CallSid"),
                               .status = ingest_form_get(form, "CallStatus"),
                               .address = f->address, .maps = twilio_voice_maps,
                               .channel = SY_CHANNEL_VOICE};
    if (kind == INGEST_TWILIO_MESSAGE_INBOUND) {
        f->status = NULL;
        f->address = ingest_form_get(form, "From");
        if (!f->sid || !*f->sid || !f->address || !ingest_form_get(form, "Body")) {
            sy_errf(errbuf, errbuf_size, "an inbound message needs MessageSid, From and Body");
            return SY_ERR_INVALID_RECORD;
        }
        return SY_OK;
    }
    if (!f->sid || !*f->sid || !f->status || !*f->status) {
        sy_errf(errbuf, errbuf_size, "a status callback needs %s",
                kind == INGEST_TWILIO_VOICE_STATUS ? "CallSid and CallStatus"
                                                   : "MessageSid and MessageStatus");
        return SY_ERR_INVALID_RECORD;
    }
    return SY_OK;
}

sy_err_t ingest_twilio_parse(ingest_twilio_kind_t kind, const ingest_form_t *form,
                             const ingest_form_t *query, int64_t now_ms,
                             const ingest_finder_t *finder, ingest_batch_t *b,
                             char *errbuf, size_t errbuf_size) {
    static const twilio_map_t inbound = {"inbound", true, SY_EVENT_REPLIED, NULL};
    twilio_fields_t f;
    sy_err_t err = twilio_fields(kind, form, &f, errbuf, errbuf_size);
    assert(b);
    if (err != SY_OK)
        return err;
    const twilio_map_t *map = f.status ? twilio_map_find(f.maps, f.status) : &inbound;
    if (!map || !map->produces) {
        b->skipped++;
        return SY_OK;
    }
    const char *contact_id = NULL;
    ingest_find_t found = twilio_contact(query, f.address, finder, b, &contact_id);
    sy_event_t *e = ingest_batch_add_found(b, found, contact_id, &err);
    if (!e)
        return err;
    e->event_id = f.status ? ingest_arena_printf(&b->arena, "twilio:%s:%s", f.sid, f.status)
                           : ingest_arena_printf(&b->arena, "twilio:%s", f.sid);
    if (!e->event_id)
        return SY_ERR_NOMEM;
    if (strlen(e->event_id) > SY_ID_BYTES_MAX) {
        sy_errf(errbuf, errbuf_size, "the SID is too long for an event id");
        return SY_ERR_INVALID_RECORD;
    }
    e->occurred_at_ms = now_ms;
    e->channel = f.channel;
    e->type = kind == INGEST_TWILIO_VOICE_STATUS ? voice_type(map, form) : map->type;
    if (kind == INGEST_TWILIO_MESSAGE_INBOUND)
        e->text = ingest_form_get(form, "Body");
    return twilio_fill(map, form, query, e, b);
}
