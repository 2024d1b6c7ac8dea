/// Numbers the source documents publish, for reports to set beside this implementation's.
public enum Published {
    /// [T] Table 6.2, seconds per trading round, as far as the OCR of the table is legible:
    /// requests → strategy → (EVs, seconds). Cells the OCR garbled are left out.
    public static let table6_2: [Int: [String: [(evs: Int, seconds: Double)]]] = [
        200: ["RET (V2GNet)": [(60, 4.45), (90, 6.75), (120, 7.33), (150, 9.49)],
              "SRET double": [(60, 3.78), (90, 7.73), (120, 13.92), (150, 21.65)],
              "SRET single": [(60, 7.47), (90, 19.44), (120, 43.67)]],
        400: ["RET (V2GNet)": [(60, 4.21), (90, 7.37), (120, 9.49), (150, 10.56)],
              "SRET double": [(60, 3.44), (120, 13.13), (150, 21.09)],
              "SRET single": [(60, 7.25)]],
        600: ["RET (V2GNet)": [(60, 6.71), (90, 8.26), (120, 7.55), (150, 10.02)],
              "SRET double": [(60, 3.30), (90, 7.30), (120, 12.83), (150, 20.39)],
              "SRET single": [(60, 7.12), (90, 19.50), (120, 43.03)]],
    ]

    /// [T] §6.4.2: single-boundary rounds take 7-254 s for 60-270 EVs.
    public static let singleBoundaryRoundSeconds: ClosedRange<Double> = 7...254

    /// [T] §4.4.2: at 20 malicious consumers the fill rate is 68 % without attack, 30 % under attack without
    /// RET, 64 % under attack with RET.
    public static let consumerAttackFillRate = (noAttack: 0.68, withoutRET: 0.30, withRET: 0.64, malicious: 20)

    /// [T] §5.4: ledger operations take 73.8 % of the round time.
    public static let ledgerShare = 0.738

    /// [P] Table II: Hungarian over Greedy, % increase in energy traded within the system, per agent and aggregate.
    public static let tableII: [(evs: Int, agents: [String: Double], aggregate: Double)] = [
        (1, ["L1": 49.2, "L2": -6.1, "L3": 96.2, "R2": 62.0, "Z0": 18.1], 19.9),
        (2, ["L1": 44.9, "L2": 2.5, "L3": 94.1, "R2": 73.8, "Z0": 24.5], 27.8),
        (3, ["L1": 29.1, "L2": -12.4, "L3": 93.2, "R2": 35.4, "Z0": 10.7], 12.0),
        (4, ["L1": 75.6, "L2": -8.7, "L3": 36.5, "R2": 17.9, "Z0": 6.4], 10.3),
        (5, ["L1": -2.9, "L2": 13.9, "L3": -2.6, "R2": 16.1, "Z0": -1.2], 5.4),
    ]

    /// [P] Table III: % change in energy traded, federated predictions against perfect ones, Hungarian.
    public static let tableIII: [(scenario: String, change: Double)] = [
        ("Isolated", 0.0), ("1 EV", -1.5e-14), ("2 EV", -3.7), ("3 EV", 1.40), ("4 EV", -1.7), ("5 EV", -1.3),
    ]

    /// [P] Table I: kWh exchanged with the grid originally, in the isolated scenario, and the benefit.
    public static let tableI: [(agent: String, original: Double, isolated: Double, benefit: Double)] = [
        ("L1", 4884.36, 4825.60, 58.76), ("L2", 8672.30, 8663.95, 8.35), ("L3", 2967.63, 2874.31, 93.32),
        ("R2", 1039.07, 944.96, 94.11), ("Z0", 6558.82, 6358.40, 200.42),
    ]

    /// [P] §VI: each EV made £3.39-£12.84 over the day with the Hungarian algorithm.
    public static let evProfitPounds: ClosedRange<Double> = 3.39...12.84
}
