"""Runs an ONNX model with OpenCV's dnn module (Debian's python3-opencv) on inputs read from .npy
files and writes its first output as a float32 .npy: a second, independent ONNX reader.

    python3 run_opencv.py MODEL.onnx OUT.npy NAME=INPUT.npy...
"""
import sys

import cv2
import numpy as np


def main():
    model, out, *pairs = sys.argv[1:]
    net = cv2.dnn.readNetFromONNX(model)
    for pair in pairs:
        name, path = pair.split("=", 1)
        net.setInput(np.load(path), name)
    np.save(out, np.asarray(net.forward(), dtype=np.float32))


if __name__ == "__main__":
    main()
