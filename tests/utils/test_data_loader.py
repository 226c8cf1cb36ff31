"""DataLoader, samplers and collate: behaviour against torch.utils.data where meaningful."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import neuronet
from neuronet.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    default_convert,
)


class ListDataset(Dataset):
    """Samples from a list, one Python call each (no fast path)."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self):
        return len(self.items)


class Stream(IterableDataset):
    def __init__(self, n, with_len=True):
        self.n = n
        self.with_len = with_len

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if not self.with_len:
            raise TypeError("no length")
        return self.n


def _tensor_set(n=10):
    x = neuronet.arange(n * 3, dtype=neuronet.float32).reshape(n, 3)
    y = neuronet.arange(n)
    return TensorDataset(x, y)


@pytest.mark.parametrize("n", [0, 1, 9, 10, 11])
@pytest.mark.parametrize("batch_size", [1, 3, 10])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_count_and_sizes_match_torch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    ours = DataLoader(ListDataset(list(range(n))), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(list(range(n)), batch_size=batch_size,
                                         drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [b.tolist() for b in ours] == [b.tolist() for b in theirs]


def test_collate_structure_and_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    Point = namedtuple("Point", "x y")
    samples = [
        {"image": np.full((2, 2), i, np.uint8), "label": i, "weight": 0.5 * i, "flag": i > 0,
         "name": f"s{i}", "pair": (np.float32(i), [i, i + 1]), "point": Point(i, 1.0)}
        for i in range(3)
    ]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)

    def compare(a, b):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, neuronet.Tensor)
            assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        elif isinstance(b, dict):
            assert type(a) is type(b) and list(a) == list(b)
            for key in b:
                compare(a[key], b[key])
        else:
            assert type(a) is type(b), (a, b)
            if isinstance(b, list | tuple):
                assert len(a) == len(b)
                for x, y in zip(a, b):
                    compare(x, y)
            else:
                assert a == b

    compare(ours, theirs)


def test_collate_keeps_tensor_dtypes_and_ordered_dict():
    batch = default_collate([OrderedDict(a=neuronet.zeros(2, dtype=neuronet.float64),
                                         b=neuronet.tensor([1], dtype=neuronet.int32))] * 4)
    assert isinstance(batch, OrderedDict)
    assert batch["a"].dtype == neuronet.float64 and tuple(batch["a"].shape) == (4, 2)
    assert batch["b"].dtype == neuronet.int32


def test_collate_errors_are_clear():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([neuronet.zeros(2), neuronet.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_collate_keeps_gradients():
    a = neuronet.ones(2, requires_grad=True)
    batch = default_collate([a, a * 2])
    batch.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


def test_default_convert_without_batching():
    loader = DataLoader(ListDataset([(np.arange(3), 1)] * 2), batch_size=None)
    items = list(loader)
    assert len(loader) == 2
    assert isinstance(items[0][0], neuronet.Tensor) and items[0][1] == 1
    assert default_convert("text") == "text"


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_index_once_per_epoch(shuffle):
    loader = DataLoader(ListDataset(list(range(103))), batch_size=10, shuffle=shuffle)
    epochs = [np.concatenate([b.numpy() for b in loader]) for _ in range(2)]
    for seen in epochs:
        assert sorted(seen.tolist()) == list(range(103))
    if shuffle:
        assert not np.array_equal(epochs[0], epochs[1])  # a new order each epoch
    else:
        assert epochs[0].tolist() == list(range(103))


def test_shuffling_reproducible_with_manual_seed_and_generator():
    data = ListDataset(list(range(50)))

    def order(**kwargs):
        return np.concatenate([b.numpy() for b in DataLoader(data, batch_size=7, shuffle=True,
                                                             **kwargs)]).tolist()

    neuronet.manual_seed(3)
    first = order()
    neuronet.manual_seed(3)
    assert order() == first
    g1, g2 = neuronet.Generator().manual_seed(5), neuronet.Generator().manual_seed(5)
    assert order(generator=g1) == order(generator=g2)
    assert order(generator=neuronet.Generator().manual_seed(6)) != order(
        generator=neuronet.Generator().manual_seed(5))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_fast_path_gives_identical_batches(shuffle, drop_last):
    dataset = _tensor_set(23)
    def slow_collate(samples):  # not default_collate itself, so the fast path is off
        return default_collate(samples)

    fast = DataLoader(dataset, batch_size=5, shuffle=shuffle, drop_last=drop_last,
                      generator=neuronet.Generator().manual_seed(1))
    slow = DataLoader(dataset, batch_size=5, shuffle=shuffle, drop_last=drop_last,
                      generator=neuronet.Generator().manual_seed(1), collate_fn=slow_collate)
    assert fast._fast_getter() is not None and slow._fast_getter() is None
    fast_batches, slow_batches = list(fast), list(slow)
    assert len(fast_batches) == len(slow_batches) == len(fast)
    for (xf, yf), (xs, ys) in zip(fast_batches, slow_batches):
        assert xf.dtype == xs.dtype and yf.dtype == ys.dtype
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())


def test_fast_path_through_subset_and_custom_sampler():
    dataset = _tensor_set(12)
    subset = Subset(dataset, [11, 3, 5, 7])
    (x, y), = list(DataLoader(subset, batch_size=4))
    assert y.tolist() == [11, 3, 5, 7]
    np.testing.assert_array_equal(x.numpy(), dataset.tensors[0].numpy()[[11, 3, 5, 7]])
    loader = DataLoader(dataset, batch_size=3, sampler=[0, 2, 4, 6])
    assert [b[1].tolist() for b in loader] == [[0, 2, 4], [6]]
    loader = DataLoader(dataset, batch_sampler=[[1, 2], [9]])
    assert [b[1].tolist() for b in loader] == [[1, 2], [9]]
    assert len(loader) == 2 and loader.batch_size is None


def test_tensor_dataset_rows_and_errors():
    dataset = _tensor_set(4)
    x, y = dataset[2]
    assert x.tolist() == [6.0, 7.0, 8.0] and y.item() == 2
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(neuronet.zeros(3), neuronet.zeros(4))
    with pytest.raises(TypeError, match="must be a Tensor"):
        TensorDataset(np.zeros(3))
    with pytest.raises(IndexError, match="out of range"):
        dataset._batch_getter()(np.array([0, 4]))


def test_tensor_dataset_requiring_grad_keeps_graph():
    w = neuronet.ones(4, 2, requires_grad=True)
    (batch,) = next(iter(DataLoader(TensorDataset(w), batch_size=4)))
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.ones((4, 2)))


def test_iterable_dataset_batches_and_len():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(loader) == 3
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2
    dropped = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dropped][-1] == [3, 4, 5]
    with pytest.raises(TypeError):
        len(DataLoader(Stream(7, with_len=False), batch_size=3))
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(3), shuffle=True)


def test_argument_validation_messages():
    data = ListDataset([1, 2, 3])
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(data, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(data, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="batch_size=0"):
        DataLoader(data, batch_size=0)
    with pytest.raises(ValueError, match="num_workers=-1"):
        DataLoader(data, num_workers=-1)
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(data, batch_size=None, drop_last=True)
    assert len(DataLoader(data, batch_size=2, num_workers=2)) == 2  # accepted, runs in-process


def test_iterator_has_len_and_next():
    loader = DataLoader(_tensor_set(10), batch_size=4)
    it = iter(loader)
    assert len(it) == 3
    x, y = next(it)
    assert y.tolist() == [0, 1, 2, 3]


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    neuronet.manual_seed(0)
    perm = list(RandomSampler(range(6)))
    assert sorted(perm) == list(range(6))
    many = list(RandomSampler(range(4), num_samples=10))
    assert len(many) == 10 and sorted(many[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}
    assert sorted(SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]
    sampler = BatchSampler(range(10), batch_size=4, drop_last=False)
    assert list(sampler) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(sampler) == 3
    assert len(BatchSampler(range(10), batch_size=4, drop_last=True)) == 2
    with pytest.raises(ValueError, match="batch_size=0"):
        BatchSampler(range(3), batch_size=0, drop_last=False)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler(range(3), num_samples=0)


def test_batch_sampler_array_batches_equal_list_batches():
    sampler = RandomSampler(range(17), generator=neuronet.Generator().manual_seed(4))
    batches = BatchSampler(sampler, 5, drop_last=True)
    as_arrays = [b.tolist() for b in batches._index_batches()]
    sampler.generator = neuronet.Generator().manual_seed(4)
    assert as_arrays == list(batches)
