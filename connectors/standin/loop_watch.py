"""loop_watch.py — the whole-loop demo's view of the topics: a thread that reads the
decisions, action and events topics from their beginning (read_committed, as a downstream
service would), decodes the records (Avro after the Confluent frame) and keeps them in
topic order per partition; and the consumer-group offsets that say whether a service has
read everything. Not a checker: loop.py and the tests read what it gathered."""
import io
import json
import os
import threading
import uuid

import fastavro
from confluent_kafka import Consumer, TopicPartition

SCHEMAS = {"decisions": "routing_decision.avsc", "events": "engagement_event.avsc",
           "actions": "action_command.avsc"}
ACTION_CHANNELS = ("email", "sms", "push", "voice", "in_app", "task")


def schema_load(root, name):
    with open(os.path.join(root, "schemas", name)) as f:
        return fastavro.parse_schema(json.load(f))


class Watch:
    """Reads <prefix>decisions, <prefix>events and <prefix>actions.<channel> from the start.
    records[kind]: decoded records (dicts) with _topic, _partition and _offset added."""

    def __init__(self, root, bootstrap, prefix):
        self.bootstrap, self.prefix = bootstrap, prefix
        self.schemas = {k: schema_load(root, v) for k, v in SCHEMAS.items()}
        self.lock = threading.Lock()
        self.records = {k: [] for k in SCHEMAS}
        self.stop = threading.Event()
        self.consumer = Consumer({"bootstrap.servers": bootstrap,
                                  "group.id": "loop-watch-" + uuid.uuid4().hex,
                                  "isolation.level": "read_committed",
                                  "enable.auto.commit": False,
                                  "fetch.wait.max.ms": 50})
        self.topics = {f"{prefix}decisions": "decisions", f"{prefix}events": "events"}
        self.topics.update({f"{prefix}actions.{c}": "actions" for c in ACTION_CHANNELS})
        meta = self.consumer.list_topics(timeout=30)
        parts = [TopicPartition(t, p, 0) for t in self.topics
                 for p in meta.topics[t].partitions]
        self.partitions = len(meta.topics[f"{prefix}events"].partitions)
        self.consumer.assign(parts)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for m in self.consumer.consume(500, 0.2):
                if m.error():
                    continue
                kind = self.topics[m.topic()]
                rec = fastavro.schemaless_reader(io.BytesIO(m.value()[5:]), self.schemas[kind])
                rec["_topic"], rec["_partition"], rec["_offset"] = \
                    m.topic(), m.partition(), m.offset()
                with self.lock:
                    self.records[kind].append(rec)

    def snapshot(self):
        with self.lock:
            return {k: list(v) for k, v in self.records.items()}

    def close(self):
        self.stop.set()
        self.thread.join(10)
        self.consumer.close()


def group_caught_up(bootstrap, group, topics, last=None):
    """True when group's committed offsets reach the end of every partition of topics: the
    high watermark, or with last ({(topic, partition): offset of the last record read}) past
    that record, for topics written in transactions (their commit markers take offsets)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        meta = c.list_topics(timeout=30)
        tps = [TopicPartition(t, p) for t in topics for p in meta.topics[t].partitions]
        for tp in c.committed(tps, timeout=30):
            if last is not None:
                end = last.get((tp.topic, tp.partition), -1) + 1
            else:
                end = c.get_watermark_offsets(tp, timeout=30)[1]
            if end > 0 and tp.offset < end:
                return False
        return True
    finally:
        c.close()
