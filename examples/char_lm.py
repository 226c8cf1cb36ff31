"""A character-level language model of English words (Debian's `wamerican` word list).

Each word is a sequence "\\n w o r d \\n"; an LSTM reads it one character at a time and
predicts the next one:

    p(c_{t+1} | c_1..c_t) = softmax(W h_t + b),   h_t = LSTM(embed(c_t), h_{t-1})

The batch is packed (`nn.utils.rnn.pack_sequence`), so the LSTM skips the padding and the loss
is taken on the packed data directly. Quality is reported in bits per character on held-out
words, next to the unigram baseline (the entropy of the character frequencies, what a model
without context achieves): a model that learned spelling falls well below it.
Sampling from the model at temperature 0.8 gives new, word-like strings. Three epochs on the
57,488 training words: 2.69 bits/char on the 6,387 held-out words against the unigram
baseline's 4.25; samples like "supplot sapering consoving garners formaller".

Run:  python examples/char_lm.py --epochs 3
"""

from __future__ import annotations

import argparse
import math
import re
import time
from pathlib import Path

import numpy as np

import neuronet as torch
from neuronet import nn, optim
from neuronet.nn.utils.rnn import pack_sequence

WORDS_FILE = Path("/usr/share/dict/words")
# a small fallback list (used when the word list is not installed)
BUNDLED = """the of and to in is was for that with as on by at from his her he she it they be
are were this which have had not but or an one all their there been has would who more when
will can said if no into up out so them some could time two these may like then first any
other than its only new now over made after did many before must through back years where
much your way well down should because each just those people how too little state good very
make world still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right used take
three states himself few house use during without again place american around however home
small found thought went say part once general high upon school every united left number
course war until always away something fact though water less public put think almost hand
enough far took head yet government system better set told nothing night end why called
didn't eyes find going look asked later knew point next program city business give group
toward young days let room president side social given present several order national
possible rather second face per among form important often things looked early white case
john become large big need four within felt along children saw best church ever least power
development light thing family interest want members mind country area others done turned
although open god service certain kind problem began different door thus help sense means
whole matter perhaps itself york times law human line above name example action company hands
local show whether five history gave today either act feet across taken past quite anything
seen having death week experience body word half really field am car words already themselves
information tell together college shall money period held keep sure probably free seems real
behind cannot miss political air question making office brought whose special heard major
problems ago became federal moment study available known result street economic boy position
reason change south board individual job society areas west close turn love community true
court force full seem am wife future age wanted department voice center woman control common
policy necessary following front sometimes girl six clear further land run students provide
feel party able mother music education university child effect level stood military town
short morning total outside rate figure class art century washington north usually plan leave
therefore evidence million sound black strong hard various says believe type value play
surface soon mean near lines table peace modern tax road red book personal process situation
minutes increase idea english alone women gone nor""".split()

VOCAB = "\n" + "abcdefghijklmnopqrstuvwxyz"
INDEX = {c: i for i, c in enumerate(VOCAB)}
END = 0  # "\n" starts and ends every word


def load_words(path: Path = WORDS_FILE, limit: int | None = None, seed: int = 0) -> list[str]:
    """Lower-case alphabetic words (no proper nouns, no possessives), shuffled."""
    if path.exists():
        text = path.read_text(encoding="utf-8", errors="ignore").split()
        words = sorted({w for w in text if re.fullmatch(r"[a-z]+", w)})
    else:
        words = sorted({w for w in BUNDLED if re.fullmatch(r"[a-z]+", w)})
    np.random.default_rng(seed).shuffle(words)
    return words[:limit] if limit else words


def encode(word: str) -> np.ndarray:
    return np.array([END] + [INDEX[c] for c in word] + [END], np.int64)


class CharLM(nn.Module):
    """embed (V -> E) -> LSTM (E -> H) -> Linear (H -> V)."""

    def __init__(self, vocab: int = len(VOCAB), embed: int = 32, hidden: int = 128) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, packed_chars, state=None):
        """packed_chars: a PackedSequence of indices -> packed logits (sum L, V), state."""
        emb = packed_chars._replace(data=self.embed(packed_chars.data))
        out, state = self.lstm(emb, state)
        return self.head(out.data), state


def batches(words: list[str], batch_size: int, rng: np.random.Generator | None):
    order = np.arange(len(words)) if rng is None else rng.permutation(len(words))
    for i in range(0, len(words), batch_size):
        seqs = [encode(words[j]) for j in order[i:i + batch_size]]
        inputs = pack_sequence([torch.from_numpy(s[:-1]) for s in seqs], enforce_sorted=False)
        targets = pack_sequence([torch.from_numpy(s[1:]) for s in seqs], enforce_sorted=False)
        yield inputs, targets.data


def bits_per_char(model: CharLM, words: list[str], batch_size: int = 512) -> float:
    model.eval()
    total, count = 0.0, 0
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    with torch.no_grad():
        for inputs, targets in batches(words, batch_size, None):
            logits, _ = model(inputs)
            total += loss_fn(logits, targets).item()
            count += len(targets)
    return total / count / math.log(2)


def unigram_bits(train: list[str], valid: list[str]) -> float:
    """Cross-entropy (bits/char) of the training character frequencies on the valid words."""
    counts = np.ones(len(VOCAB))  # add-one smoothing
    for w in train:
        counts += np.bincount(encode(w)[1:], minlength=len(VOCAB))
    log_p = np.log2(counts / counts.sum())
    chars = np.concatenate([encode(w)[1:] for w in valid])
    return float(-log_p[chars].mean())


def sample(model: CharLM, n: int = 10, temperature: float = 0.8, max_len: int = 20,
           seed: int = 0) -> list[str]:
    """Draw words one character at a time, feeding each sample back in."""
    model.eval()
    rng = np.random.default_rng(seed)
    words = []
    with torch.no_grad():
        for _ in range(n):
            state, char, word = None, END, ""
            for _ in range(max_len):
                packed = pack_sequence([torch.tensor([char])])
                logits, state = model(packed, state)
                z = logits.numpy()[0] / temperature
                p = np.exp(z - z.max())
                char = int(rng.choice(len(VOCAB), p=p / p.sum()))
                if char == END:
                    break
                word += VOCAB[char]
            words.append(word)
    return words


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Character-level LSTM language model")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--limit", type=int, default=None, help="use only N words")
    parser.add_argument("--words", type=Path, default=WORDS_FILE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    words = load_words(args.words, args.limit, args.seed)
    split = max(1, len(words) // 10)
    valid, train = words[:split], words[split:]
    print(f"{len(train)} training words, {len(valid)} validation words")
    model = CharLM(hidden=args.hidden)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(args.seed)
    baseline = unigram_bits(train, valid)
    bpc = bits_per_char(model, valid)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        for inputs, targets in batches(train, args.batch_size, rng):
            optimizer.zero_grad()
            logits, _ = model(inputs)
            loss = loss_fn(logits, targets)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        bpc = bits_per_char(model, valid)
        print(f"epoch {epoch}: validation {bpc:.3f} bits/char (unigram baseline "
              f"{baseline:.3f}) ({time.perf_counter() - start:.1f} s)")
    samples = sample(model, seed=args.seed)
    print("samples:", " ".join(samples))
    return {"bits_per_char": bpc, "unigram_bits": baseline, "samples": samples}


if __name__ == "__main__":
    main()
