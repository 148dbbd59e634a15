"""avro_wire.py — switchyard's Kafka records as the Python tests write and read them: the
Confluent wire format (magic byte 0, a 4-byte big-endian schema id, the Avro body, written
and read with fastavro) and the schemas/*.avsc files of a source tree. Not a schema registry
client (test_schema_registry.py uses confluent-kafka's serializers) nor the records' meaning.
Import it after putting tests/support/ on sys.path, computed from the importer's __file__."""
import io
import json
import os
import struct

import fastavro


def schema_json(root, name):
    """schemas/NAME (like "engagement_event.avsc") of the source tree at root, as JSON."""
    with open(os.path.join(root, "schemas", name)) as f:
        return json.load(f)


def schema_load(root, name):
    """schemas/NAME of the source tree at root, parsed for fastavro."""
    return fastavro.parse_schema(schema_json(root, name))


def frame(schema, schema_id, record):
    """record written with schema, framed under schema_id: the bytes of a Kafka value."""
    out = io.BytesIO()
    out.write(struct.pack(">bI", 0, schema_id))
    fastavro.schemaless_writer(out, schema, record)
    return out.getvalue()


def header(value):
    """(magic byte, schema id) of a framed value; None when it is shorter than a header."""
    if len(value) < 5:
        return None
    return value[0], struct.unpack(">I", value[1:5])[0]


def body(value, schema):
    """The record of a framed value, read with schema (its header not checked)."""
    return fastavro.schemaless_reader(io.BytesIO(value[5:]), schema)


def unframe(schemas_by_id, value):
    """(schema id, record) of a framed value, read with schemas_by_id[schema id]; raises
    AssertionError when the value is no frame, KeyError for an id not in schemas_by_id."""
    h = header(value)
    if h is None or h[0] != 0:
        raise AssertionError("not a Confluent frame")
    return h[1], body(value, schemas_by_id[h[1]])
