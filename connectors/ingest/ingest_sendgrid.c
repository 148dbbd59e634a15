/* ingest_sendgrid.c — SendGrid's Event Webhook body (a JSON array of events) into
 * engagement events: which SendGrid event becomes which type, where the contact comes
 * from (custom_args contact_id, else the profiles by email). Not the signature
 * (ingest_sign.c). The mapping is documented in docs/connectors.md. */
#include "ingest_batch.h"

#include <assert.h>
#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

#include "ingest_json.h"

/* What each SendGrid event becomes; produces false: nothing (counted as skipped). */
typedef struct sendgrid_map {
    const char *event;
    bool produces;
    sy_event_type_t type;
} sendgrid_map_t;

static const sendgrid_map_t sendgrid_maps[] = {
    {"processed", true, SY_EVENT_SENT},
    {"delivered", true, SY_EVENT_DELIVERED},
    {"deferred", false, SY_EVENT_SENT}, /* temporary: a delivered or bounce follows */
    {"dropped", true, SY_EVENT_BLOCKED},
    {"bounce", true, SY_EVENT_BOUNCED}, /* type blocked: bounced, SOFT */
    {"open", true, SY_EVENT_OPENED},
    {"click", true, SY_EVENT_CLICKED},
    {"spamreport", true, SY_EVENT_SPAM_REPORT},
    {"unsubscribe", true, SY_EVENT_UNSUBSCRIBED},
    {"group_unsubscribe", true, SY_EVENT_UNSUBSCRIBED},
    {"group_resubscribe", false, SY_EVENT_SENT}, /* consent comes back through profiles */
};

static const sendgrid_map_t *sendgrid_map_find(const char *event) {
    assert(event);
    for (size_t i = 0; i < sizeof sendgrid_maps / sizeof sendgrid_maps[0]; i++)
        if (strcmp(sendgrid_maps[i].event, event) == 0)
            return &sendgrid_maps[i];
    return NULL;
}

/* The props an event keeps of SendGrid's fields, when present. */
static const char *const sendgrid_props[] = {
    "sg_message_id", "reason", "status", "response", "bounce_classification", "type",
    "asm_group_id", "useragent", "ip", "attempt", "email", NULL,
};

/* The contact of ev: custom_args contact_id, else the profiles by email. */
static ingest_find_t sendgrid_contact(json_object *ev, const ingest_finder_t *finder,
                                      ingest_batch_t *b, const char **contact_id) {
    char found[SY_ID_BYTES_MAX + 1], email[320];
    assert(ev && b && contact_id);
    const char *id = ingest_json_str(ev, "contact_id");
    if (id && *id) {
        *contact_id = id;
        return INGEST_FIND_FOUND;
    }
    const char *address = ingest_json_str(ev, "email");
    if (!address || !finder || !finder->fn || strlen(address) >= sizeof email)
        return INGEST_FIND_UNKNOWN;
    size_t n = 0;
    for (; address[n]; n++)
        email[n] = (char)tolower((unsigned char)address[n]);
    email[n] = '\0';
    ingest_find_t r = finder->fn(finder->opaque, INGEST_ADDRESS_EMAIL, email, found,
                                 sizeof found);
    if (r == INGEST_FIND_FOUND && !(*contact_id = ingest_arena_strdup(&b->arena, found)))
        return INGEST_FIND_UNKNOWN;
    return r;
}

/* Fill e from ev (borrowing ev's strings: the caller keeps ev alive while b is used). */
static sy_err_t sendgrid_fill(json_object *ev, const sendgrid_map_t *map, int64_t ts,
                              ingest_batch_t *b, sy_event_t *e, char *errbuf,
                              size_t errbuf_size) {
    assert(ev && map && b && e);
    e->event_id = ingest_arena_printf(&b->arena, "sendgrid:%s",
                                      ingest_json_str(ev, "sg_event_id"));
    if (!e->event_id)
        return SY_ERR_NOMEM;
    if (strlen(e->event_id) > SY_ID_BYTES_MAX) {
        sy_errf(errbuf, errbuf_size, "sg_event_id is longer than %d bytes",
                SY_ID_BYTES_MAX - 9);
        return SY_ERR_INVALID_RECORD;
    }
    e->occurred_at_ms = ts * 1000;
    e->channel = SY_CHANNEL_EMAIL;
    e->type = map->type;
    e->message_id = ingest_json_str(ev, "action_id");
    e->journey_id = ingest_json_str(ev, "journey_id");
    e->node_id = ingest_json_str(ev, "node_id");
    const char *bounce_type = ingest_json_str(ev, "type");
    if (map->type == SY_EVENT_BOUNCED)
        e->bounce = bounce_type && strcmp(bounce_type, "blocked") == 0 ? SY_BOUNCE_SOFT
                                                                        : SY_BOUNCE_HARD;
    if (map->type == SY_EVENT_CLICKED && !(e->link = ingest_json_str(ev, "url"))) {
        sy_errf(errbuf, errbuf_size, "a click without url");
        return SY_ERR_INVALID_RECORD;
    }
    for (size_t i = 0; sendgrid_props[i]; i++) {
        const char *v = ingest_json_scalar(&b->arena, ev, sendgrid_props[i]);
        if (v && !ingest_batch_prop(b, e, sendgrid_props[i], v))
            return SY_ERR_NOMEM;
    }
    return SY_OK;
}

/* One element of the array into b (or into its skipped or unmatched counts). */
static sy_err_t sendgrid_event(json_object *ev, const ingest_finder_t *finder,
                               ingest_batch_t *b, char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_OK;
    assert(b);
    if (!json_object_is_type(ev, json_type_object)) {
        sy_errf(errbuf, errbuf_size, "not a JSON object");
        return SY_ERR_INVALID_RECORD;
    }
    const char *name = ingest_json_str(ev, "event");
    const char *id = ingest_json_str(ev, "sg_event_id");
    int64_t ts;
    if (!name || !id || !*id || !ingest_json_int(ev, "timestamp", &ts) || ts <= 0 ||
        ts > INT64_C(253402300799)) {
        sy_errf(errbuf, errbuf_size, "needs event, sg_event_id and timestamp (epoch seconds)");
        return SY_ERR_INVALID_RECORD;
    }
    const sendgrid_map_t *map = sendgrid_map_find(name);
    if (!map || !map->produces) {
        b->skipped++;
        return SY_OK;
    }
    const char *contact_id = NULL;
    ingest_find_t found = sendgrid_contact(ev, finder, b, &contact_id);
    sy_event_t *e = ingest_batch_add_found(b, found, contact_id, &err);
    if (!e)
        return err;
    return sendgrid_fill(ev, map, ts, b, e, errbuf, errbuf_size);
}

sy_err_t ingest_sendgrid_parse(const char *body, size_t len, const ingest_finder_t *finder,
                               ingest_batch_t *b, char *errbuf, size_t errbuf_size) {
    char why[256];
    assert(body && b);
    json_object *root = NULL;
    sy_err_t err = ingest_json_parse(b, body, len, &root, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (!json_object_is_type(root, json_type_array)) {
        sy_errf(errbuf, errbuf_size, "the body is not a JSON array of events");
        return SY_ERR_INVALID_RECORD;
    }
    size_t n = json_object_array_length(root);
    for (size_t i = 0; i < n && err == SY_OK; i++) {
        err = sendgrid_event(json_object_array_get_idx(root, i), finder, b, why, sizeof why);
        if (err == SY_ERR_LIMIT)
            sy_errf(why, sizeof why, "more than %d events", INGEST_BATCH_EVENTS_MAX);
        if (err != SY_OK)
            sy_errf(errbuf, errbuf_size, "event %zu: %s", i + 1, why);
    }
    return err;
}
