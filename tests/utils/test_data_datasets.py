"""Dataset, Subset, ConcatDataset and random_split."""

import numpy as np
import pytest

import neuronet
from neuronet.utils.data import ConcatDataset, DataLoader, Dataset, Subset, random_split


class Range(Dataset):
    def __init__(self, start, stop):
        self.values = list(range(start, stop))

    def __getitem__(self, index):
        return self.values[index]

    def __len__(self):
        return len(self.values)


@pytest.mark.parametrize("lengths", [[3, 7], [0, 10], [0.3, 0.7], [0.5, 0.25, 0.25],
                                     [0.33, 0.33, 0.34], [1.0]])
def test_random_split_sizes_match_torch(lengths):
    torch = pytest.importorskip("torch")
    ours = random_split(Range(0, 10), lengths)
    theirs = torch.utils.data.random_split(range(10), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    seen = sorted(i for s in ours for i in (s[k] for k in range(len(s))))
    assert seen == list(range(10))  # a partition: no overlap, nothing missing


def test_random_split_remainder_rule_matches_torch():
    torch = pytest.importorskip("torch")
    lengths = [0.1, 0.2, 0.3, 0.4]
    ours = random_split(Range(0, 17), lengths)
    theirs = torch.utils.data.random_split(range(17), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]


def test_random_split_is_reproducible():
    a = random_split(Range(0, 20), [5, 15], generator=neuronet.Generator().manual_seed(42))
    b = random_split(Range(0, 20), [5, 15], generator=neuronet.Generator().manual_seed(42))
    assert a[0].indices == b[0].indices
    neuronet.manual_seed(1)
    c = random_split(Range(0, 20), [5, 15])
    neuronet.manual_seed(1)
    d = random_split(Range(0, 20), [5, 15])
    assert c[1].indices == d[1].indices


def test_random_split_errors():
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(Range(0, 10), [3, 3])
    with pytest.raises(ValueError, match="fractions"):
        random_split(Range(0, 10), [0.5, 0.6])


def test_subset_and_concat():
    sub = Subset(Range(10, 20), [9, 0, 4])
    assert [sub[i] for i in range(3)] == [19, 10, 14]
    listed = Subset(neuronet.arange(10, 20), [9, 0, 4])
    assert listed[[0, 2]].tolist() == [19, 14]  # a list index is mapped, then forwarded
    both = Range(0, 3) + Range(10, 12)
    assert isinstance(both, ConcatDataset)
    assert len(both) == 5 and [both[i] for i in range(5)] == [0, 1, 2, 10, 11]
    assert both[-1] == 11 and both.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError, match="should not exceed"):
        both[-6]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


def test_dataset_base_class_requires_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


def test_loader_over_split_tensor_dataset_uses_fast_path():
    from neuronet.utils.data import TensorDataset

    x = neuronet.tensor(np.arange(20.0, dtype=np.float32).reshape(10, 2))
    train, _ = random_split(TensorDataset(x), [0.8, 0.2],
                            generator=neuronet.Generator().manual_seed(0))
    loader = DataLoader(train, batch_size=8)
    assert loader._fast_getter() is not None
    (batch,) = next(iter(loader))
    np.testing.assert_array_equal(batch.numpy(), x.numpy()[train.indices])
