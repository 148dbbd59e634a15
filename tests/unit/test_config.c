/* test_config.c — unit tests of the config module: defaults, every option, each error
 * message with its file:line, path resolution, the derived transactional id, kafka.*
 * pass-through, overrides and the --help table. No broker needed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_int.h"

#define BASE "/srv/sy"
#define REQUIRED                                                                           \
    "journeys.dir = journeys\nstate.dir = /srv/state\nkafka.bootstrap.servers = k:9092\n"

static char errbuf[512];

static sy_config_t *parse_ok(const char *text) {
    sy_config_t *config = NULL;
    sy_err_t err;

    errbuf[0] = '\0';
    err = config_parse(&config, text, "cfg.conf", BASE, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "config_parse returned %d, want SY_OK; errbuf: %s", err,
              errbuf);
    cr_assert_not_null(config);
    return config;
}

/* Parse text, expect SY_ERR_CONFIG and exactly message, and *out left untouched. */
static void parse_fails(const char *text, const char *message) {
    sy_config_t *sentinel = (sy_config_t *)&errbuf, *config = sentinel;
    sy_err_t err;

    errbuf[0] = '\0';
    err = config_parse(&config, text, "cfg.conf", BASE, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_CONFIG), "config_parse returned %d, want %d (SY_ERR_CONFIG)",
              err,
              SY_ERR_CONFIG);
    cr_assert(eq(str, errbuf, (char *)message), "message was\n  '%s', want\n  '%s'", errbuf,
              message);
    cr_assert(eq(ptr, (void *)config, (void *)sentinel), "*out was changed on error");
}

static void assert_str(const char *got, const char *want) {
    cr_assert_not_null(got, "got NULL, want '%s'", want);
    cr_assert(eq(str, (char *)got, (char *)want), "got '%s', want '%s'", got, want);
}

static void assert_int(int64_t got, int64_t want) {
    cr_assert(eq(i64, got, want), "got %lld, want %lld", (long long)got, (long long)want);
}

Test(config, defaults_fill_every_option_not_in_the_file) {
    sy_config_t *config = parse_ok(REQUIRED);

    assert_str(config->source, "cfg.conf");
    assert_str(config->group_id, "switchyard");
    assert_str(config->topic_events, "events");
    assert_str(config->topic_profiles, "profiles");
    assert_str(config->topic_decisions, "decisions");
    assert_str(config->topic_actions_prefix, "actions.");
    assert_str(config->topic_contact_updates, "contact-updates");
    assert_str(config->topic_dlq, "dlq");
    assert_int(config->commit_interval_ms, 100);
    assert_int(config->batch_records_max, 10000);
    assert_int(config->time_mode, CONFIG_TIME_WALLCLOCK);
    config_free(config);
}

Test(config, every_option_is_parsed_from_the_file) {
    sy_config_t *config = parse_ok("journeys.dir = /j\n"
                                   "state.dir = /s\n"
                                   "group.id = g\n"
                                   "transactional.id = tx-1\n"
                                   "topic.events = e1\n"
                                   "topic.profiles = p1\n"
                                   "topic.decisions = d1\n"
                                   "topic.actions.prefix = act_\n"
                                   "topic.contact_updates = cu1\n"
                                   "topic.dlq = dead.letters\n"
                                   "commit.interval.ms = 60000\n"
                                   "batch.records.max = 1\n"
                                   "time.mode = event\n"
                                   "kafka.bootstrap.servers = b:1\n");

    assert_str(config->journeys_dir, "/j");
    assert_str(config->state_dir, "/s");
    assert_str(config->group_id, "g");
    assert_str(config->transactional_id, "tx-1");
    assert_str(config->topic_events, "e1");
    assert_str(config->topic_profiles, "p1");
    assert_str(config->topic_decisions, "d1");
    assert_str(config->topic_actions_prefix, "act_");
    assert_str(config->topic_contact_updates, "cu1");
    assert_str(config->topic_dlq, "dead.letters");
    assert_int(config->commit_interval_ms, 60000);
    assert_int(config->batch_records_max, 1);
    assert_int(config->time_mode, CONFIG_TIME_EVENT);
    assert_str(config_kafka_get(config, "bootstrap.servers"), "b:1");
    config_free(config);
}

Test(config, relative_paths_resolve_against_base_dir) {
    sy_config_t *config = parse_ok("journeys.dir = ./journeys/\nstate.dir = data/state\n"
                                   "kafka.bootstrap.servers = k:1\n");

    assert_str(config->journeys_dir, BASE "/journeys");
    assert_str(config->state_dir, BASE "/data/state");
    config_free(config);
}

Test(config, load_resolves_paths_against_the_files_directory) {
    char dir[] = "/tmp/sy_config_test_XXXXXX";
    char path[sizeof dir + 16], want[sizeof dir + 16], *real;
    sy_config_t *config = NULL;
    FILE *file;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cfg.conf", dir);
    file = fopen(path, "w");
    cr_assert_not_null(file);
    fputs(REQUIRED, file);
    fclose(file);
    cr_assert(eq(int, config_load(&config, path, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    real = realpath(dir, NULL);
    snprintf(want, sizeof want, "%s/journeys", real);
    assert_str(config->journeys_dir, want);
    assert_str(config->source, path);
    free(real);
    config_free(config);
    unlink(path);
    rmdir(dir);
}

Test(config, load_of_a_missing_file_is_an_io_error_naming_path_and_reason) {
    sy_config_t *config = NULL;
    sy_err_t err = config_load(&config, "/nonexistent/cfg.conf", errbuf, sizeof errbuf);

    cr_assert(eq(int, err, SY_ERR_IO), "got %d, want %d (SY_ERR_IO)", err, SY_ERR_IO);
    assert_str(errbuf, "/nonexistent/cfg.conf: No such file or directory");
    cr_assert_null(config);
}

Test(config, comments_blank_lines_and_whitespace_are_ignored) {
    sy_config_t *config = parse_ok("# a comment\n"
                                   "   # an indented comment = not an option\n"
                                   "\n"
                                   "  \t \r\n"
                                   "\tgroup.id\t=  g#1  \r\n"
                                   "kafka.sasl.password = a=b\n"
                                   "journeys.dir=/j\n"
                                   "state.dir = /s\n"
                                   "kafka.bootstrap.servers = k:1");

    assert_str(config->group_id, "g#1");
    assert_str(config_kafka_get(config, "sasl.password"), "a=b");
    assert_str(config->journeys_dir, "/j");
    config_free(config);
}

Test(config, journeys_reload_interval_defaults_to_2s_and_goes_down_to_100ms) {
    sy_config_t *config = parse_ok(REQUIRED);
    cr_assert(eq(i64, config->journeys_reload_interval_ms, 2000));
    config_free(config);
    config = parse_ok(REQUIRED "journeys.reload.interval.ms = 100\n");
    cr_assert(eq(i64, config->journeys_reload_interval_ms, 100));
    config_free(config);
    parse_fails(REQUIRED "journeys.reload.interval.ms = 99\n",
                "cfg.conf:4: journeys.reload.interval.ms: 99 is below the minimum 100");
}

Test(config, non_integer_value_names_file_line_and_option) {
    parse_fails("\n\n\n\n\n\ncommit.interval.ms = ten\n",
                "cfg.conf:7: commit.interval.ms: 'ten' is not an integer");
    parse_fails("commit.interval.ms = 10ms\n",
                "cfg.conf:1: commit.interval.ms: '10ms' is not an integer");
}

Test(config, unknown_option_suggests_the_closest_known_one) {
    parse_fails("\n\ncomit.interval.ms = 10\n",
                "cfg.conf:3: unknown option 'comit.interval.ms' (did you mean "
                "'commit.interval.ms'?)");
    parse_fails("bootstrap.servers = k:1\n",
                "cfg.conf:1: unknown option 'bootstrap.servers' (did you mean "
                "'kafka.bootstrap.servers'?)");
    parse_fails("frobnicate = 1\n", "cfg.conf:1: unknown option 'frobnicate'");
}

Test(config, line_without_equals_sign_is_refused) {
    parse_fails("\n\n\n  state.dir /srv  \n", "cfg.conf:4: line has no '=': 'state.dir /srv'");
    parse_fails(" = 3\n", "cfg.conf:1: line has no option name before '='");
}

Test(config, option_set_twice_names_both_lines) {
    parse_fails("\nstate.dir = /a\n\n\n\n\n\n\nstate.dir = /b\n",
                "cfg.conf:9: 'state.dir' is set twice (first on line 2)");
    parse_fails("kafka.linger.ms = 5\nkafka.linger.ms = 6\n",
                "cfg.conf:2: 'kafka.linger.ms' is set twice (first on line 1)");
}

Test(config, enum_value_outside_its_words_lists_them) {
    parse_fails("\n\n\n\ntime.mode = fast\n",
                "cfg.conf:5: time.mode: 'fast' is not one of wallclock, event");
}

Test(config, integer_outside_its_bounds_is_refused) {
    parse_fails("\n\n\n\n\nbatch.records.max = 0\n",
                "cfg.conf:6: batch.records.max: 0 is below the minimum 1");
    parse_fails("commit.interval.ms = 60001\n",
                "cfg.conf:1: commit.interval.ms: 60001 is above the maximum 60000");
    parse_fails("batch.records.max = 99999999999999999999\n",
                "cfg.conf:1: batch.records.max: 99999999999999999999 is above the maximum "
                "1000000");
}

Test(config, missing_required_option_is_named) {
    parse_fails("state.dir = /s\nkafka.bootstrap.servers = k:1\n",
                "cfg.conf: required option 'journeys.dir' is not set");
    parse_fails("journeys.dir = /j\nkafka.bootstrap.servers = k:1\n",
                "cfg.conf: required option 'state.dir' is not set");
    parse_fails("journeys.dir = /j\nstate.dir = /s\n",
                "cfg.conf: required option 'kafka.bootstrap.servers' is not set");
}

Test(config, kafka_prefix_without_a_property_name_is_refused) {
    parse_fails("\nkafka. = 1\n", "cfg.conf:2: 'kafka.' names no librdkafka property");
}

Test(config, topic_names_must_be_valid_for_kafka) {
    parse_fails("topic.events = my events\n",
                "cfg.conf:1: topic.events: 'my events' has a character Kafka does not allow "
                "in a topic name (only a-z A-Z 0-9 . _ -)");
    parse_fails("topic.dlq =\n", "cfg.conf:1: topic.dlq: the value is empty");
    parse_fails("topic.decisions = ..\n",
                "cfg.conf:1: topic.decisions: '..' is not a valid Kafka topic name");
    parse_fails("topic.actions.prefix = act/\n",
                "cfg.conf:1: topic.actions.prefix: 'act/' has a character Kafka does not "
                "allow in a topic name (only a-z A-Z 0-9 . _ -)");
}

Test(config, invalid_utf8_line_is_refused) {
    parse_fails("group.id = ok\ngroup.id = \xff\xfe\n", "cfg.conf:2: line is not valid UTF-8");
}

Test(config, derived_transactional_id_is_group_host_and_state_dir_hash) {
    sy_config_t *config = parse_ok(REQUIRED);
    char host[256], want[512];

    cr_assert(eq(int, gethostname(host, sizeof host), 0));
    /* FNV-1a 32 of "/srv/state" is 0x41e72d31. */
    snprintf(want, sizeof want, "switchyard-%s-41e72d31", host);
    assert_str(config->transactional_id, want);
    config_free(config);
}

Test(config, derived_transactional_id_is_stable_per_state_dir) {
    sy_config_t *a = parse_ok(REQUIRED);
    sy_config_t *b = parse_ok("kafka.bootstrap.servers = other:1\nstate.dir = /srv/state/\n"
                              "journeys.dir = /elsewhere\n");
    sy_config_t *c = parse_ok("journeys.dir = j\nstate.dir = /srv/state2\n"
                              "kafka.bootstrap.servers = k:9092\n");

    assert_str(a->transactional_id, b->transactional_id);
    cr_assert(ne(str, a->transactional_id, c->transactional_id), "both are '%s'",
              a->transactional_id);
    config_free(a);
    config_free(b);
    config_free(c);
}

Test(config, kafka_properties_keep_file_order_and_apply_to_rdkafka) {
    sy_config_t *config = parse_ok("kafka.linger.ms = 7\n" REQUIRED "kafka.client.id = sy\n");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *want_names[] = {"linger.ms", "bootstrap.servers", "client.id"};
    const char *want_values[] = {"7", "k:9092", "sy"};
    char value[256];

    cr_assert(eq(sz, config->kafka_count, 3), "kafka_count %zu, want 3", config->kafka_count);
    for (size_t i = 0; i < 3; i++) {
        assert_str(config->kafka_names[i], want_names[i]);
        assert_str(config->kafka_values[i], want_values[i]);
    }
    cr_assert_null(config_kafka_get(config, "acks"));
    cr_assert(eq(int, config_apply_kafka(config, conf, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    for (size_t i = 0; i < 3; i++) {
        size_t size = sizeof value;
        cr_assert(eq(int, rd_kafka_conf_get(conf, want_names[i], value, &size), RD_KAFKA_CONF_OK));
        assert_str(value, want_values[i]);
    }
    rd_kafka_conf_destroy(conf);
    config_free(config);
}

Test(config, property_librdkafka_refuses_is_a_config_error_naming_it) {
    sy_config_t *config = parse_ok(REQUIRED "kafka.no.such.property = 1\n");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    sy_err_t err = config_apply_kafka(config, conf, errbuf, sizeof errbuf);

    cr_assert(eq(int, err, SY_ERR_CONFIG), "got %d, want %d (SY_ERR_CONFIG)", err, SY_ERR_CONFIG);
    cr_assert(strstr(errbuf, "cfg.conf: kafka.no.such.property: ") == errbuf,
              "message '%s' does not start with the property", errbuf);
    cr_assert(strlen(errbuf) > strlen("cfg.conf: kafka.no.such.property: "),
              "message '%s' lacks librdkafka's reason", errbuf);
    rd_kafka_conf_destroy(conf);
    config_free(config);
}

Test(config, set_validates_like_a_file_line) {
    sy_config_t *config = parse_ok(REQUIRED);
    sy_err_t err;

    cr_assert(eq(int, config_set(config, " batch.records.max ", " 42 ", errbuf, sizeof errbuf),
                 SY_OK),
              "%s", errbuf);
    assert_int(config->batch_records_max, 42);
    err = config_set(config, "commit.interval.ms", "ten", errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_CONFIG), "got %d, want %d", err, SY_ERR_CONFIG);
    assert_str(errbuf, "<override>: commit.interval.ms: 'ten' is not an integer");
    assert_int(config->commit_interval_ms, 100);
    err = config_set(config, "time.mod", "event", errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_CONFIG), "got %d, want %d", err, SY_ERR_CONFIG);
    assert_str(errbuf, "<override>: unknown option 'time.mod' (did you mean 'time.mode'?)");
    config_free(config);
}

Test(config, set_kafka_property_appends_or_replaces) {
    sy_config_t *config = parse_ok(REQUIRED);

    cr_assert(eq(int, config_set(config, "kafka.acks", "all", errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(int, config_set(config, "kafka.bootstrap.servers", "b:2", errbuf, sizeof errbuf),
              SY_OK));
    cr_assert(eq(sz, config->kafka_count, 2), "kafka_count %zu, want 2", config->kafka_count);
    assert_str(config_kafka_get(config, "acks"), "all");
    assert_str(config_kafka_get(config, "bootstrap.servers"), "b:2");
    config_free(config);
}

Test(config, set_state_dir_rederives_a_derived_transactional_id_only) {
    sy_config_t *config = parse_ok(REQUIRED);
    char *before = strdup(config->transactional_id);

    cr_assert(eq(int, config_set(config, "state.dir", "/srv/other", errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(ne(str, config->transactional_id, before), "still '%s'", before);
    cr_assert(eq(int, config_set(config, "transactional.id", "fixed", errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(eq(int, config_set(config, "state.dir", "/srv/third", errbuf, sizeof errbuf),
                 SY_OK));
    assert_str(config->transactional_id, "fixed");
    free(before);
    config_free(config);
}

Test(config, set_resolves_relative_paths_against_the_working_directory) {
    sy_config_t *config = parse_ok(REQUIRED);
    char cwd[4096], want[4200];

    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(want, sizeof want, "%s/js", cwd);
    cr_assert(eq(int, config_set(config, "journeys.dir", "js", errbuf, sizeof errbuf), SY_OK));
    assert_str(config->journeys_dir, want);
    config_free(config);
}

Test(config, free_of_null_is_a_no_op) {
    config_free(NULL);
}

static char *capture(void (*print)(FILE *)) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);

    cr_assert_not_null(out);
    print(out);
    fclose(out);
    return text;
}

Test(config, help_lists_every_option_and_kafka_pass_through) {
    char *help = capture(config_print_help);

    for (size_t i = 0; i < config_options_count; i++) {
        cr_assert_not_null(strstr(help, config_options[i].name), "help lacks '%s':\n%s",
                           config_options[i].name, help);
    }
    cr_assert_not_null(strstr(help, "kafka.<property>"), "help lacks kafka.*:\n%s", help);
    cr_assert_not_null(strstr(help, "1..60000"), "help lacks a range:\n%s", help);
    cr_assert_not_null(strstr(help, "wallclock, event"), "help lacks enum words:\n%s", help);
    for (char *line = help; *line; line = strchr(line, '\n') + 1) {
        size_t len = strcspn(line, "\n");
        cr_assert(len < 100, "line of %zu columns: %.*s", len, (int)len, line);
    }
    free(help);
}

Test(config, markdown_has_one_row_per_option) {
    char *markdown = capture(config_print_markdown);
    char row[128];

    for (size_t i = 0; i < config_options_count; i++) {
        snprintf(row, sizeof row, "\n| `%s` |", config_options[i].name);
        cr_assert_not_null(strstr(markdown, row), "markdown lacks '%s':\n%s", row, markdown);
    }
    free(markdown);
}

/* docs/config.md must show the option table exactly as the code prints it. */
Test(config_doc, docs_config_md_holds_the_table_the_code_prints) {
    char *printed = NULL, *doc = NULL;
    size_t printed_len = 0, doc_len = 0;
    FILE *out = open_memstream(&printed, &printed_len);
    config_print_markdown(out);
    fclose(out);
    FILE *f = fopen(SY_SOURCE_ROOT "/docs/config.md", "r");
    cr_assert_not_null(f, "cannot open docs/config.md");
    out = open_memstream(&doc, &doc_len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, out);
    fclose(out);
    fclose(f);
    /* Every table row the code prints is a line of the doc. */
    for (char *line = strtok(printed, "\n"); line; line = strtok(NULL, "\n"))
        if (line[0] == '|')
            cr_expect_not_null(strstr(doc, line), "docs/config.md lacks the row:\n%s", line);
    free(printed);
    free(doc);
}

Test(config_prefix, topic_prefix_goes_before_every_topic_name) {
    sy_config_t *config = parse_ok(REQUIRED "topic.prefix = team1.\ntopic.dlq = dead\n");

    assert_str(config->topic_prefix, "team1.");
    assert_str(config->topic_events, "team1.events");
    assert_str(config->topic_profiles, "team1.profiles");
    assert_str(config->topic_decisions, "team1.decisions");
    assert_str(config->topic_actions_prefix, "team1.actions.");
    assert_str(config->topic_contact_updates, "team1.contact-updates");
    assert_str(config->topic_dlq, "team1.dead");
    assert_str(config->topic_changelog, "team1.changelog");
    char *email = config_action_topic(config, SY_CHANNEL_EMAIL);
    assert_str(email, "team1.actions.email");
    free(email);
    config_free(config);
}

Test(config_prefix, set_keeps_the_prefix_on_names_and_replaces_an_old_prefix) {
    sy_config_t *config = parse_ok(REQUIRED "topic.prefix = a.\n");

    cr_assert(eq(int, config_set(config, "topic.events", "ev", errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    assert_str(config->topic_events, "a.ev");
    cr_assert(eq(int, config_set(config, "topic.prefix", "bb-", errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    assert_str(config->topic_events, "bb-ev");
    assert_str(config->topic_changelog, "bb-changelog");
    assert_str(config->topic_actions_prefix, "bb-actions.");
    config_free(config);
}

Test(config_prefix, a_prefixed_name_over_the_kafka_limit_is_refused) {
    char text[1024], name[241];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(text, sizeof text, REQUIRED "topic.prefix = 0123456789\ntopic.events = %s\n",
             name);
    sy_config_t *config = NULL;
    cr_assert(eq(int, config_parse(&config, text, "cfg.conf", BASE, errbuf, sizeof errbuf),
                 SY_ERR_CONFIG));
    cr_assert_not_null(strstr(errbuf, "cfg.conf: topic.events: topic.prefix '0123456789'"),
                       "%s", errbuf);
    cr_assert_not_null(strstr(errbuf, "250 bytes, above the maximum 249"), "%s", errbuf);
}
