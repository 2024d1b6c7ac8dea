import Testing
import V2GKit

@Suite("median")
struct MedianTests {
    @Test func oddCountsTakeTheMiddleEvenCountsTheMeanOfTheTwoMiddleValues() {
        #expect([3.0, 1, 2].median() == 2)
        #expect([4.0, 1, 3, 2].median() == 2.5)
        #expect([7.0].median() == 7)
        #expect([Double]().median() == 0)
        #expect([1.0, 1e9].median() == 5e8 + 0.5)
    }

    @Test func matchesSortingOnRandomSamples() {
        var rng = SplitMix64(seed: 3)
        for n in 1...40 {
            let v = (0..<n).map { _ in Double(rng.int(Int64(-1000)...1000)) / 8 }
            let s = v.sorted()
            let expected = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
            #expect(v.median() == expected)
        }
    }
}
