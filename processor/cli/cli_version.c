/* cli_version.c — `switchyard --version`: switchyard's version and commit, and the
 * versions of librdkafka (asked at run time), RocksDB and avro-c (from the build). Not
 * the command table nor any command. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>

#include "cli.h"
#include "cli_commit.h"
#include "cli_versions.h"

void cli_version_print(FILE *out) {
    fprintf(out,
            "switchyard %s (commit %s)\n"
            "librdkafka %s\n"
            "rocksdb %s\n"
            "avro-c %s\n",
            CLI_VERSION, CLI_COMMIT, rd_kafka_version_str(), CLI_ROCKSDB_VERSION,
            CLI_AVRO_VERSION);
}
