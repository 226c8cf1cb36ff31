"""vision.transforms: outputs against expected arrays (torchvision's definitions)."""

import numpy as np
import pytest

import neuronet
from neuronet.vision import transforms as T


def test_to_tensor_grey_scales_and_adds_channel():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    out = T.ToTensor()(image)
    assert out.dtype == neuronet.float32 and tuple(out.shape) == (1, 3, 4)
    np.testing.assert_array_equal(out.numpy()[0], image.astype(np.float32) / np.float32(255))


def test_to_tensor_colour_transposes_hwc_to_chw():
    image = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    out = T.ToTensor()(image).numpy()
    assert out.shape == (3, 5, 4) and out.flags.c_contiguous
    for c in range(3):
        np.testing.assert_array_equal(out[c], image[:, :, c] / np.float32(255))
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_to_tensor_matches_torch_formula():
    torch = pytest.importorskip("torch")
    image = np.random.default_rng(1).integers(0, 256, (6, 7, 2), dtype=np.uint8)
    expected = torch.from_numpy(image).permute(2, 0, 1).contiguous().float().div(255)
    np.testing.assert_array_equal(T.ToTensor()(image).numpy(), expected.numpy())


def test_to_tensor_keeps_float_arrays_unscaled_and_rejects_bad_input():
    image = np.full((2, 2), 0.25, dtype=np.float64)
    out = T.ToTensor()(image)
    assert out.dtype == neuronet.float64 and out.numpy().max() == 0.25
    with pytest.raises(TypeError, match="already a tensor"):
        T.ToTensor()(neuronet.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="2 or 3 dimensional"):
        T.ToTensor()(np.zeros(3, np.uint8))


def test_normalize_per_channel():
    x = neuronet.tensor(np.random.default_rng(2).random((3, 4, 5)).astype(np.float32))
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    out = T.Normalize(mean, std)(x)
    expected = (x.numpy() - np.float32(mean)[:, None, None]) / np.float32(std)[:, None, None]
    assert out.dtype == neuronet.float32
    np.testing.assert_array_equal(out.numpy(), expected)
    batched = T.Normalize(mean, std)(x.unsqueeze(0))  # (N, C, H, W) broadcasts too
    np.testing.assert_array_equal(batched.numpy()[0], expected)


def test_normalize_inplace_and_errors():
    x = neuronet.ones(1, 2, 2)
    out = T.Normalize((0.5,), (0.5,), inplace=True)(x)
    assert out is x and x.numpy().tolist() == [[[1.0, 1.0], [1.0, 1.0]]]
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize((0.5,), (0.5,))(neuronet.ones(1, 2, 2, dtype=neuronet.uint8))
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize((0.5,), (0.0,))
    with pytest.raises(ValueError, match="2 mean/std values for an image with 3 channels"):
        T.Normalize((0.5, 0.5), (1.0, 1.0))(neuronet.ones(3, 2, 2))


def test_compose_and_lambda():
    pipeline = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2)])
    out = pipeline(np.full((2, 2), 255, np.uint8))
    assert out.numpy().tolist() == [[[2.0, 2.0], [2.0, 2.0]]]
    assert "ToTensor()" in repr(pipeline)
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)


def test_random_crop_with_padding_is_a_window_of_the_padded_image():
    image = np.arange(16, dtype=np.uint8).reshape(4, 4) + 1
    padded = np.pad(image, 2)
    neuronet.manual_seed(0)
    seen = set()
    for _ in range(40):
        crop = T.RandomCrop(4, padding=2)(image)
        assert crop.shape == (4, 4)
        found = [(i, j) for i in range(5) for j in range(5)
                 if np.array_equal(padded[i:i + 4, j:j + 4], crop)]
        assert found
        seen.add(found[0])
    assert len(seen) > 5  # the offset really is random


def test_random_crop_tensor_and_modes():
    x = neuronet.arange(2 * 5 * 5, dtype=neuronet.float32).reshape(2, 5, 5)
    out = T.RandomCrop((3, 2))(x)
    assert isinstance(out, neuronet.Tensor) and tuple(out.shape) == (2, 3, 2)
    edge = T.RandomCrop(7, padding=1, padding_mode="edge")(np.ones((5, 5, 3), np.uint8))
    assert edge.shape == (7, 7, 3) and edge.min() == 1
    grown = T.RandomCrop(6, pad_if_needed=True, fill=9)(np.zeros((4, 4), np.uint8))
    assert grown.shape == (6, 6)
    with pytest.raises(ValueError, match="larger than the input image size"):
        T.RandomCrop(6)(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(2, padding_mode="wrap")


def test_random_horizontal_flip():
    image = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(image), image[:, ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(image) is image
    x = neuronet.arange(6).reshape(1, 2, 3)
    assert T.RandomHorizontalFlip(p=1.0)(x).tolist() == [[[2, 1, 0], [5, 4, 3]]]
    neuronet.manual_seed(0)
    flips = sum(T.RandomHorizontalFlip()(image)[0, 0] == 2 for _ in range(200))
    assert 60 < flips < 140
    with pytest.raises(ValueError, match="p=1.5"):
        T.RandomHorizontalFlip(1.5)


def test_batch_transform_equals_per_image_transform():
    images = np.random.default_rng(3).integers(0, 256, (5, 6, 7), dtype=np.uint8)
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.3,), (0.7,))])
    batched = T.batch_transform(pipeline)(images)
    single = np.stack([pipeline(im).numpy() for im in images])
    np.testing.assert_array_equal(batched.numpy(), single)
    assert T.batch_transform(T.Compose([T.ToTensor(), T.Lambda(lambda x: x)])) is None
    assert T.batch_transform(T.RandomHorizontalFlip()) is None
