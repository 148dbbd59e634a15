/* schema_registry.c — the ids of a schema registry for the service and replay: the output
 * subjects registered at open, and the cache of input writer ids with their resolvers.
 * Not HTTP (registry_client.c) and not Avro resolution (codec_resolve.c). */
#include "schema_registry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "registry_client.h"

/* One writer id read as one reader schema: its resolver, or why it cannot be read. */
typedef struct registry_entry {
    uint32_t id;
    sy_schema_id_t reader;
    codec_resolver_t *resolver; /* owned; NULL: err and reason say why not */
    sy_err_t err;
    char *reason;               /* owned */
} registry_entry_t;

struct schema_registry {
    registry_client_t *client; /* owned */
    codec_t *codec;            /* borrowed */
    schema_registry_outputs_t outputs;
    size_t count;
    size_t last;               /* the entry the last frame used: the usual next one */
    registry_entry_t entries[SCHEMA_REGISTRY_IDS_MAX];
};

void schema_registry_close(schema_registry_t *reg) {
    if (reg == NULL)
        return;
    for (size_t i = 0; i < reg->count; i++) {
        codec_resolver_free(reg->entries[i].resolver);
        free(reg->entries[i].reason);
    }
    registry_client_close(reg->client);
    free(reg);
}

static sy_err_t register_output(schema_registry_t *reg, const char *topic, sy_schema_id_t id,
                                uint32_t *out, char *errbuf, size_t errbuf_size) {
    char subject[512];
    snprintf(subject, sizeof subject, "%s-value", topic);
    sy_err_t err = registry_client_register(reg->client, subject, codec_schema_json(id),
                                            REGISTRY_START_ATTEMPTS, out, errbuf, errbuf_size);
    if (err == SY_OK)
        log_info("schema registry: subject %s has id %" PRIu32, subject, *out);
    return err;
}

static sy_err_t register_outputs(schema_registry_t *reg, const sy_config_t *c, char *errbuf,
                                 size_t errbuf_size) {
    schema_registry_outputs_t *o = &reg->outputs;
    sy_err_t err = register_output(reg, c->topic_decisions, SY_SCHEMA_ROUTING_DECISION,
                                   &o->decisions, errbuf, errbuf_size);
    for (int ch = 0; ch < SY_CHANNEL__COUNT && err == SY_OK; ch++) {
        char *topic = config_action_topic(c, (sy_channel_t)ch);
        err = topic ? register_output(reg, topic, SY_SCHEMA_ACTION_COMMAND, &o->actions[ch],
                                      errbuf, errbuf_size)
                    : SY_ERR_NOMEM;
        free(topic);
    }
    if (err == SY_OK)
        err = register_output(reg, c->topic_contact_updates, SY_SCHEMA_CONTACT_UPDATE,
                              &o->contact_updates, errbuf, errbuf_size);
    if (err == SY_OK)
        err = register_output(reg, c->topic_dlq, SY_SCHEMA_DEAD_LETTER, &o->dlq, errbuf,
                              errbuf_size);
    return err;
}

sy_err_t schema_registry_open(schema_registry_t **out, const sy_config_t *config,
                              codec_t *codec, atomic_int *stop, char *errbuf,
                              size_t errbuf_size) {
    *out = NULL;
    if (config->schema_registry_url[0] == '\0')
        return SY_OK;
    schema_registry_t *reg = calloc(1, sizeof *reg);
    if (reg == NULL)
        return sy_errf(errbuf, errbuf_size, "schema registry: out of memory"), SY_ERR_NOMEM;
    reg->codec = codec;
    sy_err_t err = registry_client_open(&reg->client, config, stop, errbuf, errbuf_size);
    if (err == SY_OK)
        err = register_outputs(reg, config, errbuf, errbuf_size);
    if (err != SY_OK) {
        schema_registry_close(reg);
        return err;
    }
    *out = reg;
    return SY_OK;
}

const schema_registry_outputs_t *schema_registry_outputs(const schema_registry_t *reg) {
    return &reg->outputs;
}

/* Fetch id's schema and make its resolver to reader, or note why there is none. Only a
 * registry that could not be asked (or a stop) fails; the entry is then not kept. */
static sy_err_t entry_fill(schema_registry_t *reg, registry_entry_t *e, char *errbuf,
                           size_t errbuf_size) {
    char *text = NULL, why[512];
    sy_err_t err = registry_client_schema(reg->client, e->id, 0, &text, errbuf, errbuf_size);
    if (err == SY_ERR_NOT_FOUND) {
        e->err = SY_ERR_UNKNOWN_SCHEMA;
        snprintf(why, sizeof why, "unknown schema id %" PRIu32 " (not in the schema registry)",
                 e->id);
    } else if (err != SY_OK) {
        return err;
    } else {
        e->err = codec_resolver_new(reg->codec, e->reader, text, strlen(text), &e->resolver,
                                    why, sizeof why);
        free(text);
        if (e->err == SY_ERR_NOMEM)
            return sy_errf(errbuf, errbuf_size, "%s", why), SY_ERR_NOMEM;
    }
    if (e->err != SY_OK && (e->reason = strdup(why)) == NULL)
        return SY_ERR_NOMEM;
    log_info("schema registry: writer schema id %" PRIu32 " read %s%s", e->id,
             e->err != SY_OK ? "as a dead letter: " : (codec_resolver_identity(e->resolver)
                                                         ? "directly" : "by resolution"),
             e->err != SY_OK ? e->reason : "");
    return SY_OK;
}

/* The entry of (id, reader), fetched when new. */
static sy_err_t entry_find(schema_registry_t *reg, uint32_t id, sy_schema_id_t reader,
                           registry_entry_t **out, char *errbuf, size_t errbuf_size) {
    registry_entry_t *e = &reg->entries[reg->last];
    if (reg->count > 0 && e->id == id && e->reader == reader)
        return *out = e, SY_OK;
    for (size_t i = 0; i < reg->count; i++)
        if (reg->entries[i].id == id && reg->entries[i].reader == reader) {
            reg->last = i;
            return *out = &reg->entries[i], SY_OK;
        }
    if (reg->count == SCHEMA_REGISTRY_IDS_MAX)
        return sy_errf(errbuf, errbuf_size, "schema id %" PRIu32 ": more than %d writer ids "
                       "seen (SCHEMA_REGISTRY_IDS_MAX)", id, SCHEMA_REGISTRY_IDS_MAX),
               SY_ERR_LIMIT;
    e = &reg->entries[reg->count];
    memset(e, 0, sizeof *e);
    e->id = id;
    e->reader = reader;
    sy_err_t err = entry_fill(reg, e, errbuf, errbuf_size);
    if (err != SY_OK) {
        codec_resolver_free(e->resolver);
        free(e->reason);
        return err;
    }
    reg->last = reg->count++;
    return *out = e, SY_OK;
}

sy_err_t schema_registry_input(schema_registry_t *reg, sy_schema_id_t reader,
                               const void *buf, size_t len, const void **frame,
                               size_t *frame_len, char *errbuf, size_t errbuf_size) {
    const uint8_t *p = buf;
    registry_entry_t *e;
    if (reg == NULL) {
        *frame = buf;
        *frame_len = len;
        return SY_OK;
    }
    if (len < 5 || p[0] != 0) { /* the codec names what is wrong with the frame */
        sy_schema_id_t ignored;
        return codec_frame_schema(buf, len, &ignored, errbuf, errbuf_size);
    }
    uint32_t id = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    sy_err_t err = entry_find(reg, id, reader, &e, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (e->resolver == NULL)
        return sy_errf(errbuf, errbuf_size, "schema id %" PRIu32 ": %s", id, e->reason), e->err;
    return codec_resolve_frame(e->resolver, buf, len, frame, frame_len, errbuf, errbuf_size);
}
