import FoundationEssentials

extension ResponseTimeModel {
    /// The model's phase times, in milliseconds, for `campuses` campuses of 3 exchanges each with `requests`
    /// requests and `evs` EVs in all, with Table 5.1's parameters: keyed as `v2g bench network` reports its
    /// measured phases (`collect_and_seal_inputs`, `allocate`, `record`, `cross_campus`, `full_round`).
    public static func networkPhasesMs(campuses: Int, requests: Int, evs: Int) throws -> [String: Double] {
        var parameters = ResponseTimeModel.Parameters.table5_1.resized(exchangeCount: 3, evCount: evs / campuses)
        parameters.campuses = Array(parameters.campuses.prefix(campuses))
        for k in parameters.campuses.indices {
            parameters.campuses[k].exchanges = (0..<3).map { i in
                .init(requestCount: requests / campuses / 3 + (i < (requests / campuses) % 3 ? 1 : 0), consumerDelay: 0.05)
            }
        }
        let model = try ResponseTimeModel(parameters).breakdown()
        let c0 = model.campuses[0]
        return [
            "collectAndSealInputs": c0.requestCollection.seconds * 1000, "allocate": c0.allocation.seconds * 1000,
            "record": (c0.resultUpload + c0.firstNotification).seconds * 1000,
            "crossCampus": (c0.bocsUpload + model.bocsAllocation + model.secondNotification).seconds * 1000,
            "fullRound": model.round.seconds * 1000,
        ]
    }
}
