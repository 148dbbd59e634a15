/* test_topics.c — `switchyard topics create|check` and the start check of `switchyard
 * run` against a real broker with auto-create off: every topic created with its partitions
 * and the changelog compacted, topic.prefix on every name, and each problem (a changelog
 * not compacted, a missing action topic, profiles with another partition count, a missing
 * topic at run) failing with exit 1 and the topic's name. Not the service's processing. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "kafka_harness.h"
#include "text_file.h"
#include "tmpdir.h"

#define PARTITIONS 3
#define OUTPUT_MAX (64 * 1024)
/* events, profiles, changelog, decisions, contact updates, dlq, conversions, 8 action
 * topics. */
#define TOPICS_COUNT 15

static const char *const topic_suffixes[TOPICS_COUNT] = {
    "events", "profiles", "changelog", "decisions", "contact-updates", "dlq", "conversions",
    "actions.email", "actions.sms", "actions.push", "actions.voice", "actions.call",
    "actions.in_app", "actions.custom", "actions.task",
};

static char work_dir[64], config_path[128], prefix[128], output[OUTPUT_MAX];

/* A config whose topics are the defaults under a prefix of this test's own. */
static void setup(void) {
    char text[1024], base[96];
    tmpdir_make(work_dir, sizeof work_dir, "topics");
    harness_topic_name("topics", base, sizeof base);
    snprintf(prefix, sizeof prefix, "%s.", base);
    snprintf(config_path, sizeof config_path, "%s/switchyard.conf", work_dir);
    snprintf(text, sizeof text,
             "journeys.dir = %s/examples/journeys\nstate.dir = %s/state\n"
             "topic.prefix = %s\ntopics.partitions = %d\nkafka.bootstrap.servers = %s\n",
             SY_SOURCE_ROOT, work_dir, prefix, PARTITIONS, harness_bootstrap());
    cr_assert(eq(int, text_file_write(config_path, text), 0), "write %s", config_path);
}

static void teardown(void) {
    tmpdir_remove(work_dir);
}

TestSuite(topics, .init = setup, .fini = teardown, .timeout = 240);

/* Run `switchyard ARGS` with stdout and stderr into output; returns the exit code. */
static int run(const char *args) {
    char command[1024];
    snprintf(command, sizeof command, "'%s' %s 2>&1", SWITCHYARD_BIN, args);
    return child_run(command, output, sizeof output);
}

static int topics(const char *action) {
    char args[512];
    snprintf(args, sizeof args, "topics %s --config '%s'", action, config_path);
    return run(args);
}

static const char *full_name(const char *suffix, char *buf, size_t size) {
    snprintf(buf, size, "%s%s", prefix, suffix);
    return buf;
}

static void assert_output_has(const char *text) {
    cr_assert_not_null(strstr(output, text), "output lacks '%s':\n%s", text, output);
}

/* The partition count of topic in the broker's metadata, -1 when it does not exist. */
static int partitions_of(rd_kafka_t *rk, const char *topic) {
    const struct rd_kafka_metadata *md = NULL;
    cr_assert(eq(int, rd_kafka_metadata(rk, 1, NULL, &md, 10000), 0), "metadata");
    int count = -1;
    for (int t = 0; t < md->topic_cnt; t++)
        if (strcmp(md->topics[t].topic, topic) == 0 && !md->topics[t].err)
            count = md->topics[t].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return count;
}

static rd_kafka_t *client_new(void) {
    char errbuf[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", harness_bootstrap(), errbuf, sizeof errbuf);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, sizeof errbuf);
    cr_assert_not_null(rk, "client: %s", errbuf);
    return rk;
}

/* Delete topic and wait until the metadata no longer shows it. */
static void delete_topic(const char *topic) {
    rd_kafka_t *rk = client_new();
    rd_kafka_DeleteTopic_t *del = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, &del, 1, NULL, queue);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, 30000);
    cr_assert_not_null(ev, "DeleteTopics %s: no answer", topic);
    cr_assert(eq(int, rd_kafka_event_error(ev), 0), "DeleteTopics %s: %s", topic,
              rd_kafka_event_error_string(ev));
    rd_kafka_event_destroy(ev);
    for (int i = 0; i < 100 && partitions_of(rk, topic) >= 0; i++)
        rd_kafka_poll(rk, 100);
    cr_assert(eq(int, partitions_of(rk, topic), -1), "%s still exists", topic);
    rd_kafka_queue_destroy(queue);
    rd_kafka_DeleteTopic_destroy(del);
    rd_kafka_destroy(rk);
}

static void create_plain(const char *suffix, int partitions) {
    char name[256], errbuf[512] = "";
    const char *names[] = {full_name(suffix, name, sizeof name)};
    cr_assert(eq(int, harness_create_topics(harness_bootstrap(), names, 1, partitions, errbuf,
                                            sizeof errbuf), SY_OK), "create %s: %s", name,
              errbuf);
}

Test(topics, create_on_an_empty_cluster_makes_every_prefixed_topic_and_check_passes) {
    char name[256];
    cr_assert(eq(int, topics("check"), 1), "check before create:\n%s", output);
    assert_output_has(full_name("events", name, sizeof name));
    cr_assert(eq(int, topics("create"), 0), "create:\n%s", output);
    rd_kafka_t *rk = client_new();
    for (int i = 0; i < TOPICS_COUNT; i++) {
        full_name(topic_suffixes[i], name, sizeof name);
        cr_assert(eq(int, partitions_of(rk, name), PARTITIONS), "%s:\n%s", name, output);
    }
    rd_kafka_destroy(rk);
    char line[512];
    snprintf(line, sizeof line, "created  %schangelog (topic.changelog): %d partitions, "
             "cleanup.policy=compact", prefix, PARTITIONS);
    assert_output_has(line);
    cr_assert(eq(int, topics("check"), 0), "check after create:\n%s", output);
    snprintf(line, sizeof line, "ok       %schangelog (topic.changelog): %d partitions, "
             "cleanup.policy=compact", prefix, PARTITIONS);
    assert_output_has(line);
    cr_assert(eq(int, topics("create"), 0), "create again:\n%s", output);
    assert_output_has("exists   ");
    cr_assert_null(strstr(output, "created"), "a second create created:\n%s", output);
}

Test(topics, a_changelog_without_compaction_fails_create_and_check_naming_it) {
    char name[256];
    create_plain("changelog", PARTITIONS);
    cr_assert(eq(int, topics("create"), 1), "create:\n%s", output);
    full_name("changelog", name, sizeof name);
    assert_output_has(name);
    assert_output_has("cleanup.policy=delete; it must be compact");
    assert_output_has("kafka-configs.sh");
    cr_assert(eq(int, topics("check"), 1), "check:\n%s", output);
    assert_output_has("--add-config cleanup.policy=compact");
}

Test(topics, a_missing_action_topic_fails_check_naming_it_and_the_fix) {
    char name[256], message[512];
    cr_assert(eq(int, topics("create"), 0), "create:\n%s", output);
    delete_topic(full_name("actions.voice", name, sizeof name));
    cr_assert(eq(int, topics("check"), 1), "check:\n%s", output);
    snprintf(message, sizeof message, "topic %s (topic.actions.prefix) is missing: create it "
             "with `switchyard topics create --config %s`", name, config_path);
    assert_output_has(message);
}

Test(topics, profiles_with_another_partition_count_fail_check_naming_them) {
    char name[256];
    create_plain("events", PARTITIONS);
    create_plain("profiles", PARTITIONS + 1);
    cr_assert(eq(int, topics("create"), 1), "create:\n%s", output);
    rd_kafka_t *rk = client_new();
    cr_assert(eq(int, partitions_of(rk, full_name("changelog", name, sizeof name)),
                 PARTITIONS), "the changelog follows the events topic");
    rd_kafka_destroy(rk);
    cr_assert(eq(int, topics("check"), 1), "check:\n%s", output);
    full_name("profiles", name, sizeof name);
    char message[512];
    snprintf(message, sizeof message, "topic %s (topic.profiles) has %d partitions", name,
             PARTITIONS + 1);
    assert_output_has(message);
    assert_output_has("must be co-partitioned");
}

Test(topics, run_refuses_to_start_on_a_missing_topic_with_the_fixing_command) {
    char name[256], args[512], message[512];
    cr_assert(eq(int, topics("create"), 0), "create:\n%s", output);
    delete_topic(full_name("changelog", name, sizeof name));
    snprintf(args, sizeof args, "run --config '%s'", config_path);
    cr_assert(eq(int, run(args), 1), "run:\n%s", output);
    snprintf(message, sizeof message, "topic %s (topic.changelog) is missing: create it with "
             "`switchyard topics create --config %s`", name, config_path);
    assert_output_has(message);
    assert_output_has("not starting");
}
