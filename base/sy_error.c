/* sy_error.c — string tables for sy_err_t, and sy_errf, the one formatter of the errbuf
 * out-parameters. */
#include "sy_error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *name;
    const char *desc;
} sy_err_table[SY_ERR__COUNT] = {
    [SY_OK] = {"ok", "success"},
    [SY_ERR_INVALID_ARG] = {"invalid_arg", "invalid argument"},
    [SY_ERR_NOMEM] = {"nomem", "out of memory"},
    [SY_ERR_IO] = {"io", "file input/output failed"},
    [SY_ERR_CONFIG] = {"config", "invalid configuration"},
    [SY_ERR_JOURNEY] = {"journey", "invalid journey"},
    [SY_ERR_TRUNCATED] = {"truncated", "record is truncated"},
    [SY_ERR_BAD_MAGIC] = {"bad_magic", "wire frame has a wrong magic byte"},
    [SY_ERR_UNKNOWN_SCHEMA] = {"unknown_schema", "wire frame names an unknown schema id"},
    [SY_ERR_WRONG_SCHEMA] = {"wrong_schema", "record has a schema this topic does not carry"},
    [SY_ERR_MALFORMED] = {"malformed", "Avro body is malformed"},
    [SY_ERR_INVALID_RECORD] = {"invalid_record", "record breaks a rule of the domain"},
    [SY_ERR_LIMIT] = {"limit", "a limit was exceeded"},
    [SY_ERR_NOT_FOUND] = {"not_found", "not found"},
    [SY_ERR_STATE] = {"state", "state store failed"},
    [SY_ERR_KAFKA_RETRIABLE] = {"kafka_retriable", "Kafka error, retriable"},
    [SY_ERR_KAFKA_ABORT] = {"kafka_abort", "Kafka transaction must be aborted"},
    [SY_ERR_KAFKA_FATAL] = {"kafka_fatal", "Kafka error, fatal"},
    [SY_ERR_IMPLAUSIBLE_TIME] = {"implausible_time",
                                 "event time is out of bounds or too far ahead"},
};

const char *sy_err2str(sy_err_t err) {
    if ((unsigned)err >= SY_ERR__COUNT)
        return "unknown error";
    return sy_err_table[err].desc;
}

const char *sy_err_name(sy_err_t err) {
    if ((unsigned)err >= SY_ERR__COUNT)
        return "unknown";
    return sy_err_table[err].name;
}

int sy_err_is_input_fault(sy_err_t err) {
    switch (err) {
    case SY_ERR_TRUNCATED:
    case SY_ERR_BAD_MAGIC:
    case SY_ERR_UNKNOWN_SCHEMA:
    case SY_ERR_WRONG_SCHEMA:
    case SY_ERR_MALFORMED:
    case SY_ERR_INVALID_RECORD:
    case SY_ERR_IMPLAUSIBLE_TIME:
        return 1;
    default:
        return 0;
    }
}

void sy_errf(char *errbuf, size_t errbuf_size, const char *fmt, ...) {
    va_list ap;
    if (errbuf == NULL || errbuf_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errbuf_size, fmt, ap);
    va_end(ap);
}

void sy_errf_at_v(char *errbuf, size_t errbuf_size, const char *source, int line, int column,
                  const char *fmt, va_list ap) {
    if (errbuf == NULL || errbuf_size == 0)
        return;
    int n = snprintf(errbuf, errbuf_size, "%s:%d:%d: ", source, line, column);
    if (n >= 0 && (size_t)n < errbuf_size)
        vsnprintf(errbuf + n, errbuf_size - (size_t)n, fmt, ap);
}
