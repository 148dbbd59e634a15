/* ingest_profiles.c — the thread of ingest_profiles.h that tails the profiles topic from
 * its beginning into the address index (ingest_profiles_index.c), and knows when it has
 * read every partition to the end once. Not the table itself. */
#include "ingest_profiles_int.h"

#include <assert.h>
#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "log.h"
#include "sy_backoff.h"
#include "sy_clock.h"
#include "sy_limits.h"

/* How long one poll of the topic waits before looking at the stop flag. */
#define PROFILES_POLL_MS 100
/* How long one metadata request waits for the broker. */
#define PROFILES_METADATA_TIMEOUT_MS 5000

struct ingest_profiles {
    const sy_config_t *config;
    profiles_index_t index;
    rd_kafka_t *rk;       /* the consumer; NULL: nothing to index */
    codec_t *codec;       /* the thread's own */
    pthread_t thread;
    bool thread_started;
    atomic_int stop;
    atomic_bool caught_up;
    int32_t partitions;   /* of the topic, once known */
    bool *eof;            /* per partition: its end was reached once */
    int32_t eof_count;
};

static sy_err_t profiles_consumer(ingest_profiles_t *p, char *errbuf, size_t errbuf_size) {
    assert(p);
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    if (!conf)
        return SY_ERR_NOMEM;
    sy_err_t err = config_apply_kafka(p->config, conf, errbuf, errbuf_size);
    /* A group id librdkafka wants; nothing is ever committed under it (assign only). */
    const char *const settings[][2] = {
        {"group.id", "switchyard-ingest-profiles"}, {"enable.auto.commit", "false"},
        {"enable.partition.eof", "true"},           {"isolation.level", "read_committed"},
        {"auto.offset.reset", "earliest"},
    };
    for (size_t i = 0; err == SY_OK && i < sizeof settings / sizeof settings[0]; i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errbuf, errbuf_size) !=
            RD_KAFKA_CONF_OK)
            err = SY_ERR_CONFIG;
    if (err == SY_OK && !(p->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf,
                                               errbuf_size)))
        err = SY_ERR_CONFIG;
    if (err != SY_OK)
        rd_kafka_conf_destroy(conf);
    return err;
}

/* The topic's partition count, asked until the broker answers or a stop. */
static bool profiles_partitions(ingest_profiles_t *p) {
    sy_backoff_t backoff;
    assert(p && p->rk);
    sy_backoff_init(&backoff, 200, 5000, (uint64_t)sy_clock_mono_us());
    while (!atomic_load(&p->stop)) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *t = rd_kafka_topic_new(p->rk, p->config->topic_profiles, NULL);
        rd_kafka_resp_err_t err = t ? rd_kafka_metadata(p->rk, 0, t, &md,
                                                        PROFILES_METADATA_TIMEOUT_MS)
                                    : RD_KAFKA_RESP_ERR__FAIL;
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
            !md->topics[0].err && md->topics[0].partition_cnt > 0)
            p->partitions = md->topics[0].partition_cnt;
        else
            log_warn("ingest: cannot read the partitions of %s yet: %s; trying again",
                     p->config->topic_profiles, rd_kafka_err2str(err ? err
                                                  : md ? md->topics[0].err : err));
        if (md)
            rd_kafka_metadata_destroy(md);
        if (t)
            rd_kafka_topic_destroy(t);
        if (p->partitions > 0)
            return true;
        sy_backoff_wait(&backoff, &p->stop);
    }
    return false;
}

static bool profiles_assign(ingest_profiles_t *p) {
    assert(p && p->partitions > 0);
    if (!(p->eof = calloc((size_t)p->partitions, sizeof *p->eof)))
        return false;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(p->partitions);
    for (int32_t i = 0; list && i < p->partitions; i++)
        rd_kafka_topic_partition_list_add(list, p->config->topic_profiles, i)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    bool ok = list && rd_kafka_assign(p->rk, list) == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (list)
        rd_kafka_topic_partition_list_destroy(list);
    return ok;
}

/* Index the email and phone attributes one profile update sets. */
static void profiles_update(ingest_profiles_t *p, const rd_kafka_message_t *m) {
    sy_profile_update_t u;
    char why[256], email[320];
    assert(p && m);
    if (codec_decode_profile_update(p->codec, m->payload, m->len, &u, why, sizeof why) !=
        SY_OK)
        return; /* the service sends it to the dead-letter topic; nothing to index */
    const char *email_attr = p->config->ingest_profiles_email_attribute;
    const char *phone_attr = p->config->ingest_profiles_phone_attribute;
    for (size_t i = 0; i < u.set_count; i++) {
        const sy_attr_t *a = &u.set[i];
        if (a->value.kind != SY_VALUE_STRING || !*a->value.u.s)
            continue;
        if (*phone_attr && strcmp(a->name, phone_attr) == 0)
            profiles_index_put(&p->index, 'p', a->value.u.s, u.contact_id);
        if (*email_attr && strcmp(a->name, email_attr) == 0 &&
            strlen(a->value.u.s) < sizeof email) {
            size_t n = 0;
            for (; a->value.u.s[n]; n++)
                email[n] = (char)tolower((unsigned char)a->value.u.s[n]);
            email[n] = '\0';
            profiles_index_put(&p->index, 'e', email, u.contact_id);
        }
    }
}

static void profiles_eof(ingest_profiles_t *p, int32_t partition) {
    assert(p);
    if (partition < 0 || partition >= p->partitions || p->eof[partition])
        return;
    p->eof[partition] = true;
    if (++p->eof_count == p->partitions) {
        atomic_store(&p->caught_up, true);
        log_info("ingest: %s read to its end: %zu address(es) indexed",
                 p->config->topic_profiles, profiles_index_count(&p->index));
    }
}

static void *profiles_thread(void *arg) {
    ingest_profiles_t *p = arg;
    assert(p);
    if (!profiles_partitions(p) || !profiles_assign(p)) {
        if (!atomic_load(&p->stop))
            log_error("ingest: cannot read %s: inbound messages stay unmatched",
                      p->config->topic_profiles);
        return NULL;
    }
    while (!atomic_load(&p->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(p->rk, PROFILES_POLL_MS);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            profiles_eof(p, m->partition);
        else if (!m->err)
            profiles_update(p, m);
        else
            log_warn("ingest: reading %s: %s", p->config->topic_profiles,
                     rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

sy_err_t ingest_profiles_open(ingest_profiles_t **out, const sy_config_t *config,
                              char *errbuf, size_t errbuf_size) {
    assert(out && config);
    ingest_profiles_t *p = calloc(1, sizeof *p);
    if (!p)
        return SY_ERR_NOMEM;
    p->config = config;
    pthread_rwlock_init(&p->index.lock, NULL);
    sy_err_t err = SY_OK;
    if (*config->ingest_profiles_email_attribute || *config->ingest_profiles_phone_attribute) {
        err = codec_open(&p->codec, errbuf, errbuf_size);
        if (err == SY_OK)
            err = profiles_consumer(p, errbuf, errbuf_size);
        if (err == SY_OK && pthread_create(&p->thread, NULL, profiles_thread, p) != 0)
            err = SY_ERR_NOMEM;
        p->thread_started = err == SY_OK;
    } else {
        atomic_store(&p->caught_up, true);
    }
    if (err != SY_OK) {
        ingest_profiles_close(p);
        return err;
    }
    *out = p;
    return SY_OK;
}

void ingest_profiles_close(ingest_profiles_t *p) {
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    if (p->thread_started)
        pthread_join(p->thread, NULL);
    if (p->rk) {
        rd_kafka_consumer_close(p->rk);
        rd_kafka_destroy(p->rk);
    }
    codec_close(p->codec);
    free(p->eof);
    profiles_index_deinit(&p->index);
    free(p);
}

ingest_find_t ingest_profiles_find(void *opaque, ingest_address_t kind, const char *address,
                                   char *contact_id, size_t size) {
    ingest_profiles_t *p = opaque;
    assert(p && address && contact_id);
    if (profiles_index_get(&p->index, kind == INGEST_ADDRESS_EMAIL ? 'e' : 'p', address,
                           contact_id, size))
        return INGEST_FIND_FOUND;
    return atomic_load(&p->caught_up) ? INGEST_FIND_UNKNOWN : INGEST_FIND_NOT_YET;
}

size_t ingest_profiles_count(ingest_profiles_t *p) {
    assert(p);
    return profiles_index_count(&p->index);
}

bool ingest_profiles_caught_up(ingest_profiles_t *p) {
    assert(p);
    return atomic_load(&p->caught_up);
}
