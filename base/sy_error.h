/* sy_error.h — the one error enum of switchyard and its string tables.
 * Every module returns sy_err_t; detail for people goes into an errbuf out-parameter.
 * Library errors (Kafka, RocksDB, Avro) are translated by the module owning the library. */
#ifndef SY_ERROR_H
#define SY_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum sy_err {
    SY_OK = 0,
    SY_ERR_INVALID_ARG,     /* a caller passed an argument outside the contract */
    SY_ERR_NOMEM,           /* an allocation failed */
    SY_ERR_IO,              /* a file could not be read or written */
    SY_ERR_CONFIG,          /* the config file is invalid: errbuf names file:line */
    SY_ERR_JOURNEY,         /* a journey file is invalid: errbuf names file:line:column */
    SY_ERR_TRUNCATED,       /* input ended before the record did (input's fault) */
    SY_ERR_BAD_MAGIC,       /* wire frame does not start with magic byte 0 (input's fault) */
    SY_ERR_UNKNOWN_SCHEMA,  /* wire frame names a schema id we do not know (input's fault) */
    SY_ERR_WRONG_SCHEMA,    /* a known schema, but not the one this topic carries (input's fault) */
    SY_ERR_MALFORMED,       /* the Avro body is not valid for its schema (input's fault) */
    SY_ERR_INVALID_RECORD,  /* decodes, but breaks a rule of the domain (input's fault) */
    SY_ERR_LIMIT,           /* a named maximum of sy_limits.h was exceeded */
    SY_ERR_NOT_FOUND,       /* the thing asked for does not exist */
    SY_ERR_STATE,           /* the state store (RocksDB) failed: fatal for this run */
    SY_ERR_KAFKA_RETRIABLE, /* Kafka failed, retrying may succeed */
    SY_ERR_KAFKA_ABORT,     /* the current transaction must be aborted and the batch redone */
    SY_ERR_KAFKA_FATAL,     /* Kafka failed for good (fenced, fatal producer error) */
    SY_ERR_IMPLAUSIBLE_TIME, /* an event time out of bounds or too far ahead (input's fault) */
    SY_ERR__COUNT
} sy_err_t;

/* A sentence describing err, for people. Never NULL. */
const char *sy_err2str(sy_err_t err);

/* A short stable name ("truncated", "bad_magic") for headers and metrics. Never NULL. */
const char *sy_err_name(sy_err_t err);

/* True when err is the input's fault: the record goes to the dead-letter topic. */
int sy_err_is_input_fault(sy_err_t err);

/* Format a message for people into errbuf, truncated to errbuf_size - 1 bytes and always
 * NUL-terminated. errbuf may be NULL or errbuf_size 0: then nothing is written. Any thread. */
void sy_errf(char *errbuf, size_t errbuf_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As sy_errf for a problem at a place in a file: "SOURCE:LINE:COLUMN: " then the message
 * (the va_list form, for the parsers' own variadic fail functions). */
void sy_errf_at_v(char *errbuf, size_t errbuf_size, const char *source, int line, int column,
                  const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
