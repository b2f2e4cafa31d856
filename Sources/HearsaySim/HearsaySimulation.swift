/// The deterministic simulator: see Simulator.swift (arrives with issue 4).
public enum HearsaySimulation {}
