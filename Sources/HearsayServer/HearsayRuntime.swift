/// The libuv runtime that drives a HearsayCore node.
public enum HearsayRuntime {}
