/* test_runner_kafka.c — unit tests of the runner's Kafka client settings
 * (runner_client_conf): the defaults every client of `switchyard run` gets and the
 * config's kafka.* properties winning over them. No broker needed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "config.h"
#include "runner_int.h"

#define REQUIRED                                                                           \
    "journeys.dir = journeys\nstate.dir = /srv/state\nkafka.bootstrap.servers = k:9092\n"

/* The value runner_client_conf gives property name under the config text. */
static void client_property(const char *text, const char *name, char *value,
                            size_t value_size) {
    sy_config_t *config = NULL;
    char errbuf[512] = "";
    sy_err_t err = config_parse(&config, text, "cfg.conf", "/srv/sy", errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "config_parse returned %d; errbuf: %s", err, errbuf);
    rd_kafka_conf_t *conf = runner_client_conf(config, errbuf, sizeof errbuf);
    cr_assert_not_null(conf, "runner_client_conf failed: %s", errbuf);
    cr_assert(eq(int, rd_kafka_conf_get(conf, name, value, &value_size), RD_KAFKA_CONF_OK),
              "%s is not a property", name);
    rd_kafka_conf_destroy(conf);
    config_free(config);
}

Test(runner_kafka, clients_send_small_requests_without_nagle_delay) {
    char value[64];
    client_property(REQUIRED, "socket.nagle.disable", value, sizeof value);
    cr_assert(eq(str, value, "true"));
}

Test(runner_kafka, a_configured_nagle_setting_wins) {
    char value[64];
    client_property(REQUIRED "kafka.socket.nagle.disable = false\n", "socket.nagle.disable",
                    value, sizeof value);
    cr_assert(eq(str, value, "false"));
}

Test(runner_kafka, config_properties_reach_the_client) {
    char value[256];
    client_property(REQUIRED, "bootstrap.servers", value, sizeof value);
    cr_assert(eq(str, value, "k:9092"));
}
