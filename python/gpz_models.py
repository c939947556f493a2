"""PyTorch models used by GPZ's tests and documentation, importable as gpz_export factories.

    python python/gpz_export.py --factory python/gpz_models.py:classifier4 --kwargs '{"nc": 1}' \
        --input 1,32,32 --classes 10 --splits block1,block2,block3,block4 --out cnn4.gpz.pt

Both models are written so that torch.fx can trace them and gpz_export can cut them at their natural split points.
"""
import torch
import torch.nn.functional as F
from torch import nn


class Classifier4(nn.Module):
    """The paper's Classifier_4: four blocks Conv3x3 (padding 1, bias) -> BatchNorm -> MaxPool 2 -> ReLU with
    widths ndf, 2*ndf, 4*ndf, 8*ndf, then Linear(8*ndf*(img_size//16)**2, 5*nz) -> Dropout(0.5) -> Linear(5*nz, nz).

    The paper's code returns log_softmax of the logits together with a list of the block features; this module
    returns only the logits. GPZ splits it after block1..block4 and at the logits. The state-dict names
    (block{1..4}.{0,1}.*, fc.0.*, fc.2.*) are those of GPZ's own `cnn4`, so one safetensors file loads into both.
    """

    def __init__(self, nc=1, ndf=64, nz=10, img_size=32):
        super().__init__()
        widths = [ndf, 2 * ndf, 4 * ndf, 8 * ndf]
        channels = [nc] + widths[:-1]
        self.block1, self.block2, self.block3, self.block4 = (
            self._block(c_in, c_out) for c_in, c_out in zip(channels, widths)
        )
        side = img_size // 16
        self.fc = nn.Sequential(nn.Linear(8 * ndf * side * side, 5 * nz), nn.Dropout(0.5), nn.Linear(5 * nz, nz))

    @staticmethod
    def _block(c_in, c_out):
        return nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, 1, 1, bias=True), nn.BatchNorm2d(c_out), nn.MaxPool2d(2, 2), nn.ReLU()
        )

    def forward(self, x):
        x = self.block4(self.block3(self.block2(self.block1(x))))
        return self.fc(x.flatten(1))


def classifier4(nc=1, ndf=64, nz=10, img_size=32):
    """Classifier_4 for `nc`-channel `img_size` px images and `nz` classes (see Classifier4)."""
    return Classifier4(nc=nc, ndf=ndf, nz=nz, img_size=img_size)


class Attention(nn.Module):
    """Multi-head self-attention with a fused qkv projection, computed by scaled_dot_product_attention."""

    def __init__(self, dim, heads):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by heads {heads}")
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        batch, tokens, dim = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return self.proj(out.transpose(1, 2).reshape(batch, tokens, dim))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)) with a 4x GELU MLP."""

    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class SmallViT(nn.Module):
    """A small pre-norm vision transformer: Conv2d patchify -> class token + learned position embedding ->
    `depth` blocks -> LayerNorm -> class-token head.

    Top-level children are patch_embed, blocks (a ModuleList), norm and head, so gpz_export's default split points
    are patch_embed, blocks.0 .. blocks.{depth-1}, norm and the logits. The token concatenation and position
    embedding happen in forward after patch_embed and use only its output, so the cut after patch_embed is valid.
    """

    def __init__(self, img_size=32, patch=8, channels=3, classes=10, dim=64, depth=2, heads=4):
        super().__init__()
        if img_size % patch:
            raise ValueError(f"image size {img_size} is not a multiple of the patch size {patch}")
        tokens = (img_size // patch) ** 2 + 1
        self.patch_embed = nn.Conv2d(channels, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


def small_vit(img_size=32, patch=8, channels=3, classes=10, dim=64, depth=2, heads=4):
    """A SmallViT for `channels`-channel `img_size` px images (see SmallViT)."""
    return SmallViT(img_size=img_size, patch=patch, channels=channels, classes=classes, dim=dim, depth=depth,
                    heads=heads)
