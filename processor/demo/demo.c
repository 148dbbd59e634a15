/* demo.c — setting up the demo (cluster, topics, config, service thread, clients) and
 * tearing it all down. */
#include "demo.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const demo_topics[] = {"events", "profiles", "decisions", "contact-updates",
                                          "dlq", "changelog"};

static int cluster_start(demo_t *d, char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
    d->mock_owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size);
    if (!d->mock_owner)
        return 0;
    d->cluster = rd_kafka_mock_cluster_new(d->mock_owner, 1);
    if (!d->cluster) {
        snprintf(errbuf, errbuf_size, "cannot start the in-process Kafka cluster");
        return 0;
    }
    for (size_t i = 0; i < sizeof demo_topics / sizeof demo_topics[0]; i++)
        rd_kafka_mock_topic_create(d->cluster, demo_topics[i], DEMO_PARTITIONS, 1);
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++) {
        char topic[64];
        snprintf(topic, sizeof topic, "actions.%s", sy_channel_name((sy_channel_t)ch));
        rd_kafka_mock_topic_create(d->cluster, topic, DEMO_PARTITIONS, 1);
    }
    return 1;
}

static int config_make(demo_t *d, char *errbuf, size_t errbuf_size) {
    char text[2048];
    snprintf(text, sizeof text,
             "journeys.dir = %s\nstate.dir = %s\ngroup.id = switchyard-demo\n"
             "time.mode = event\ncommit.interval.ms = 100\n"
             "kafka.bootstrap.servers = %s\nkafka.log_level = 3\n"
             "kafka.fetch.wait.max.ms = 5\nkafka.linger.ms = 1\n"
             /* One instance: no member to fence, and the mock cluster describes no
              * group (a client.id of its own turns fencing off, docs/scaling.md). */
             "kafka.client.id = switchyard-demo\n",
             d->journeys_dir, d->state_dir, rd_kafka_mock_cluster_bootstraps(d->cluster));
    return config_parse(&d->config, text, "<demo>", ".", errbuf, errbuf_size) == SY_OK;
}

static void *runner_thread(void *arg) {
    demo_t *d = arg;
    d->runner_err = runner_run(d->runner, d->runner_errbuf, sizeof d->runner_errbuf);
    if (d->runner_err != SY_OK)
        atomic_store(&d->stop, 1);
    return NULL;
}

static rd_kafka_t *client_new(demo_t *d, rd_kafka_type_t type, char *errbuf,
                              size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(d->cluster);
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, errbuf, errbuf_size) ||
        rd_kafka_conf_set(conf, "log_level", "3", errbuf, errbuf_size) ||
        (type == RD_KAFKA_PRODUCER &&
         (rd_kafka_conf_set(conf, "partitioner", "murmur2_random", errbuf, errbuf_size) ||
          rd_kafka_conf_set(conf, "linger.ms", "1", errbuf, errbuf_size))) ||
        (type == RD_KAFKA_CONSUMER &&
         (rd_kafka_conf_set(conf, "isolation.level", "read_committed", errbuf, errbuf_size) ||
          rd_kafka_conf_set(conf, "group.id", "switchyard-demo-reader", errbuf, errbuf_size) ||
          rd_kafka_conf_set(conf, "enable.auto.commit", "false", errbuf, errbuf_size) ||
          rd_kafka_conf_set(conf, "fetch.wait.max.ms", "5", errbuf, errbuf_size)))) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return rd_kafka_new(type, conf, errbuf, errbuf_size);
}

/* The demo reads every output topic from the start, as a downstream service would. */
static int outputs_assign(demo_t *d) {
    const sy_config_t *c = d->config;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(64);
    for (int p = 0; p < DEMO_PARTITIONS; p++) {
        rd_kafka_topic_partition_list_add(parts, c->topic_decisions, p);
        rd_kafka_topic_partition_list_add(parts, c->topic_contact_updates, p);
        for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++) {
            char *topic = config_action_topic(c, (sy_channel_t)ch);
            if (topic)
                rd_kafka_topic_partition_list_add(parts, topic, p);
            free(topic);
        }
    }
    for (int i = 0; i < parts->cnt; i++)
        parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t err = rd_kafka_assign(d->consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

sy_err_t demo_setup(demo_t *d, char *errbuf, size_t errbuf_size) {
    snprintf(d->state_dir, sizeof d->state_dir, "/tmp/switchyard-demo-XXXXXX");
    if (!mkdtemp(d->state_dir)) {
        snprintf(errbuf, errbuf_size, "cannot create a temporary state directory");
        d->state_dir[0] = '\0';
        return SY_ERR_IO;
    }
    if (!cluster_start(d, errbuf, errbuf_size) || !config_make(d, errbuf, errbuf_size))
        return SY_ERR_KAFKA_FATAL;
    if (journey_set_load_dir(&d->journeys, d->journeys_dir, errbuf, errbuf_size) != SY_OK)
        return SY_ERR_JOURNEY;
    if (!demo_world_init(&d->world, d->journeys, d->contacts, d->seed)) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    demo_report_init(&d->report, d->journeys);
    if (codec_open(&d->codec, errbuf, errbuf_size) != SY_OK ||
        runner_open(&d->runner, d->config, d->journeys, &d->stop, errbuf, errbuf_size) != SY_OK)
        return SY_ERR_KAFKA_FATAL;
    if (pthread_create(&d->thread, NULL, runner_thread, d) != 0) {
        snprintf(errbuf, errbuf_size, "cannot start the service thread");
        return SY_ERR_NOMEM;
    }
    d->thread_started = 1;
    d->producer = client_new(d, RD_KAFKA_PRODUCER, errbuf, errbuf_size);
    d->consumer = d->producer ? client_new(d, RD_KAFKA_CONSUMER, errbuf, errbuf_size) : NULL;
    if (!d->consumer)
        return SY_ERR_KAFKA_FATAL;
    if (!outputs_assign(d)) {
        snprintf(errbuf, errbuf_size, "cannot assign the output topics");
        return SY_ERR_KAFKA_FATAL;
    }
    return SY_OK;
}
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void demo_cleanup(demo_t *d) {
    if (d->thread_started) {
        atomic_store(&d->stop, 1);
        pthread_join(d->thread, NULL);
    }
    if (d->consumer) {
        rd_kafka_consumer_close(d->consumer);
        rd_kafka_destroy(d->consumer);
    }
    if (d->producer)
        rd_kafka_destroy(d->producer);
    runner_close(d->runner);
    codec_close(d->codec);
    demo_world_deinit(&d->world);
    journey_set_free(d->journeys);
    config_free(d->config);
    if (d->cluster)
        rd_kafka_mock_cluster_destroy(d->cluster);
    if (d->mock_owner)
        rd_kafka_destroy(d->mock_owner);
    if (d->state_dir[0])
        nftw(d->state_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

