"""A tiny BERT checkpoint (2 layers, hidden 32, a 70-token vocabulary, seeded random weights) in
the published file layout, so that a debug build of `engram` runs end to end in seconds. Its
embeddings mean nothing beyond shared words; the protocols and the storage path are what the
end-to-end tests exercise with it."""

import json
import struct
from pathlib import Path

HIDDEN, INTERMEDIATE, LAYERS, POSITIONS = 32, 64, 2, 256


def write(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + letters + ["##" + l for l in letters]
    vocabulary += [str(d) for d in range(10)] + [".", ",", "'", "?", "!", ":"]
    (directory / "vocab.txt").write_text("\n".join(vocabulary) + "\n")
    (directory / "config.json").write_text(json.dumps({
        "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": 2,
        "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS, "type_vocab_size": 2,
        "vocab_size": len(vocabulary), "layer_norm_eps": 1e-12, "hidden_act": "gelu",
        "position_embedding_type": "absolute", "model_type": "bert"}))

    state = 0x9E3779B97F4A7C15

    def random(count, scale=0.2):
        nonlocal state
        values = []
        for _ in range(count):
            state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            values.append(((state >> 40) / (1 << 24) - 0.5) * scale)
        return values

    tensors = [
        ("embeddings.word_embeddings.weight", [len(vocabulary), HIDDEN], random(len(vocabulary) * HIDDEN, 2)),
        ("embeddings.position_embeddings.weight", [POSITIONS, HIDDEN], random(POSITIONS * HIDDEN)),
        ("embeddings.token_type_embeddings.weight", [2, HIDDEN], random(2 * HIDDEN)),
        ("embeddings.LayerNorm.weight", [HIDDEN], [1.0] * HIDDEN),
        ("embeddings.LayerNorm.bias", [HIDDEN], [0.0] * HIDDEN),
    ]
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}"
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            tensors += [(f"{p}.{name}.weight", [HIDDEN, HIDDEN], random(HIDDEN * HIDDEN)),
                        (f"{p}.{name}.bias", [HIDDEN], random(HIDDEN))]
        tensors += [(f"{p}.intermediate.dense.weight", [INTERMEDIATE, HIDDEN], random(INTERMEDIATE * HIDDEN)),
                    (f"{p}.intermediate.dense.bias", [INTERMEDIATE], random(INTERMEDIATE)),
                    (f"{p}.output.dense.weight", [HIDDEN, INTERMEDIATE], random(HIDDEN * INTERMEDIATE)),
                    (f"{p}.output.dense.bias", [HIDDEN], random(HIDDEN))]
        for norm in ["attention.output.LayerNorm", "output.LayerNorm"]:
            tensors += [(f"{p}.{norm}.weight", [HIDDEN], [1.0] * HIDDEN), (f"{p}.{norm}.bias", [HIDDEN], [0.0] * HIDDEN)]

    header, data = {}, bytearray()
    for name, shape, values in tensors:
        begin = len(data)
        data += struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [begin, len(data)]}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    (directory / "model.safetensors").write_bytes(struct.pack("<Q", len(encoded)) + encoded + bytes(data))
    return directory
