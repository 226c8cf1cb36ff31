"""Fashion-MNIST with an MLP, written as a PyTorch program.

This is the classic PyTorch training script (argparse, ``class Net(nn.Module)``,
``DataLoader``, ``CrossEntropyLoss``, ``Adam``, ``StepLR``, evaluation under ``no_grad``).
Only the import lines below name neuronet; to run it under PyTorch, replace them with:

    import torch
    from torch import nn, optim
    import torch.nn.functional as F
    from torch.optim.lr_scheduler import StepLR
    from torch.utils.data import DataLoader, Subset
    from torchvision import datasets, transforms

The data is looked up under ``--data`` (torchvision's layout, ``<data>/FashionMNIST/raw``)
and then in the usual places, including Debian's ``/usr/share/datasets/fashion-mnist``.
Ten epochs reach about 89% test accuracy.

Run:  python examples/fashion_mnist_mlp.py --epochs 10
"""

from __future__ import annotations

import argparse
import time

import neuronet as torch
import neuronet.nn.functional as F
from neuronet import nn, optim
from neuronet.optim.lr_scheduler import StepLR
from neuronet.utils.data import DataLoader, Subset
from neuronet.vision import datasets, transforms


class Net(nn.Module):
    """784 -> 256 -> 128 -> 10, ReLU, dropout after the first hidden layer."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        x = torch.flatten(x, 1)  # (N, 1, 28, 28) -> (N, 784)
        x = F.relu(self.fc1(x))
        x = self.dropout(x)
        x = F.relu(self.fc2(x))
        return self.fc3(x)  # logits; CrossEntropyLoss applies log-softmax itself


def train(args, model, train_loader, criterion, optimizer, epoch):
    """One epoch; returns the mean training loss."""
    model.train()
    total, count = 0.0, 0
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(data)
        count += len(data)
        if args.log_interval and batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{count}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")
    return total / count


def test(model, test_loader, criterion):
    """Mean loss and accuracy (in %) on the test set."""
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += criterion(output, target).item() * len(data)
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    n = len(test_loader.dataset)
    accuracy = 100.0 * correct / n
    print(f"Test set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} "
          f"({accuracy:.2f}%)")
    return test_loss / n, accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fashion-MNIST MLP")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--gamma", type=float, default=0.85, help="StepLR decay per epoch")
    parser.add_argument("--limit", type=int, default=None, help="use the first N training samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default="data", help="dataset root folder")
    parser.add_argument("--download", action="store_true", help="download when not found")
    parser.add_argument("--log-interval", type=int, default=0, help="batches between logs")
    parser.add_argument("--save-model", action="store_true")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    transform = transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize((0.2860,), (0.3530,)),  # Fashion-MNIST's mean and std
    ])
    train_set = datasets.FashionMNIST(args.data, train=True, download=args.download,
                                      transform=transform)
    test_set = datasets.FashionMNIST(args.data, train=False, transform=transform)
    if args.limit is not None:
        train_set = Subset(train_set, range(args.limit))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size)

    model = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)

    history = {"train_loss": [], "test_loss": [], "accuracy": []}
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        train_loss = train(args, model, train_loader, criterion, optimizer, epoch)
        test_loss, accuracy = test(model, test_loader, criterion)
        scheduler.step()
        print(f"Epoch {epoch}: train loss {train_loss:.4f}, "
              f"{time.perf_counter() - start:.1f} s")
        history["train_loss"].append(train_loss)
        history["test_loss"].append(test_loss)
        history["accuracy"].append(accuracy)

    if args.save_model:
        torch.save(model.state_dict(), "fashion_mnist_mlp.safetensors")
    return history


if __name__ == "__main__":
    main()
