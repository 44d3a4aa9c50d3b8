"""A Llama-2-style decoder in plain PyTorch: no library beyond ``torch.nn``.

``llama2_7b()`` has Llama-2-7B's sizes (32 layers of width 4,096, 32 heads, a
feed-forward of 11,008, 32,000 tokens, an output head of its own):
6,738,415,616 parameters, about 27 GB of float32 if it were built for real.
Built on the meta device it is summarised in seconds. ``tiny_llama()`` is the
same code at toy sizes, for tests.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class RMSNorm(nn.Module):
    def __init__(self, width: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x):
        scale = torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * (x * scale)


class Rotary(nn.Module):
    """Rotary position embedding: cosines and sines kept as buffers, not parameters."""

    def __init__(self, head_width: int, context: int, base: float = 10000.0) -> None:
        super().__init__()
        frequencies = base ** (-torch.arange(0, head_width, 2).float() / head_width)
        angles = torch.outer(torch.arange(context).float(), frequencies)
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def forward(self, x):
        steps = x.shape[-2]
        cos, sin = self.cos[:steps], self.sin[:steps]
        even, odd = x[..., 0::2], x[..., 1::2]
        return torch.stack((even * cos - odd * sin, even * sin + odd * cos), -1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, width: int, heads: int, context: int) -> None:
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.o_proj = nn.Linear(width, width, bias=False)
        self.rotary = Rotary(width // heads, context)

    def forward(self, x):
        batch, steps, width = x.shape

        def heads(t):
            return t.view(batch, steps, self.heads, width // self.heads).transpose(1, 2)

        q = self.rotary(heads(self.q_proj(x)))
        k = self.rotary(heads(self.k_proj(x)))
        v = heads(self.v_proj(x))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(out.transpose(1, 2).reshape(batch, steps, width))


class FeedForward(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(width, hidden, bias=False)
        self.up_proj = nn.Linear(width, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, width, bias=False)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, width: int, heads: int, hidden: int, context: int) -> None:
        super().__init__()
        self.input_norm = RMSNorm(width)
        self.attention = Attention(width, heads, context)
        self.post_attention_norm = RMSNorm(width)
        self.mlp = FeedForward(width, hidden)

    def forward(self, x):
        x = x + self.attention(self.input_norm(x))
        return x + self.mlp(self.post_attention_norm(x))


class Llama(nn.Module):
    def __init__(
        self,
        vocabulary: int = 32000,
        width: int = 4096,
        layers: int = 32,
        heads: int = 32,
        hidden: int = 11008,
        context: int = 4096,
    ) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocabulary, width)
        self.layers = nn.ModuleList(
            DecoderLayer(width, heads, hidden, context) for _ in range(layers)
        )
        self.norm = RMSNorm(width)
        self.lm_head = nn.Linear(width, vocabulary, bias=False)

    def forward(self, tokens):
        x = self.embed_tokens(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


def llama2_7b() -> Llama:
    return Llama()


def tiny_llama() -> Llama:
    """Two layers of width 64: 2·(4·64·64 + 3·64·172 + 2·64) + 64 + 2·(1000·64) = 227,136."""
    return Llama(vocabulary=1000, width=64, layers=2, heads=4, hidden=172, context=128)
