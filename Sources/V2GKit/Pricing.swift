internal import CV2G

/// The grid prices of [P] §V.B and the EV mark-up, in micro-units of currency per kWh.
public struct Tariff: Hashable, Sendable {
    /// P_gb: what buying from the grid costs.
    public var gridBuy: Int64
    /// P_gs: what selling to the grid earns.
    public var gridSell: Int64
    /// The share an EV adds to P_split when it sells.
    public var evMarkup: Ratio

    /// [P]'s tariff: 29.49 p/kWh to buy, 6.4 p/kWh to sell, 10 % EV mark-up.
    public static let paper = Tariff(gridBuy: Int64(V2G_GRID_BUY_DEFAULT), gridSell: Int64(V2G_GRID_SELL_DEFAULT),
                                     evMarkup: Ratio(ppm: V2G_EV_MARKUP_DEFAULT_PPM))

    public init(gridBuy: Int64, gridSell: Int64, evMarkup: Ratio) {
        self.gridBuy = gridBuy
        self.gridSell = gridSell
        self.evMarkup = evMarkup
    }

    /// The trading prices: a prosumer sells to an EV at P_split; an EV sells at P_split plus its mark-up, capped at P_gb.
    ///
    /// The corresponding C function is `v2g_tariff_prices`.
    public func prices() throws(V2GError) -> (prosumerToEV: Int64, evToProsumer: Int64) {
        var tariff = v2g_tariff(grid_buy: gridBuy, grid_sell: gridSell, ev_markup_ppm: evMarkup.rawValue, reserved: 0)
        var split: Int64 = 0
        var ev: Int64 = 0
        try check(v2g_tariff_prices(&tariff, &split, &ev), "tariff")
        return (split, ev)
    }
}

/// The money for an energy at a price per kWh, rounded toward zero (SPEC §4).
///
/// The corresponding C function is `v2g_money`.
public func money(pricePerKWh: Int64, energyWh: Int64) throws(V2GError) -> Int64 {
    var result: Int64 = 0
    try check(v2g_money(pricePerKWh, energyWh, &result), "money for \(energyWh) Wh at \(pricePerKWh)")
    return result
}
