// SPDX-License-Identifier: MIT
// Axes for the SVG plots: maps data values to pixels and chooses ticks a person reads easily
// (1, 2, 5 times a power of ten). Pure functions.
#pragma once

#include <string>
#include <vector>

namespace raftlink::bench {

/// Evenly spaced "nice" tick values covering [low, high] with about `target` ticks:
/// steps of 1, 2 or 5 times a power of ten, the first tick <= low, the last >= high.
/// Precondition: high > low and target >= 2.
std::vector<double> nice_ticks(double low, double high, int target);

/// Ticks for a logarithmic axis over [low, high] (both > 0): 1, 2 and 5 times each power of
/// ten inside the range, thinned to 1 per decade when the range spans many decades.
std::vector<double> log_ticks(double low, double high);

/// A linear or base-10 logarithmic mapping from [domain_low, domain_high] to
/// [pixel_low, pixel_high] (pixel_high may be smaller: SVG's y grows downwards).
class AxisScale {
public:
    static AxisScale linear(double domain_low, double domain_high, double pixel_low,
                            double pixel_high);
    /// Precondition: 0 < domain_low < domain_high.
    static AxisScale logarithmic(double domain_low, double domain_high, double pixel_low,
                                 double pixel_high);

    /// The pixel of value; values outside the domain are clamped to its ends.
    double pixel(double value) const;
    bool is_logarithmic() const { return logarithmic_; }
    double domain_low() const { return domain_low_; }
    double domain_high() const { return domain_high_; }

private:
    AxisScale(bool logarithmic, double domain_low, double domain_high, double pixel_low,
              double pixel_high);

    bool logarithmic_;
    double domain_low_;
    double domain_high_;
    double pixel_low_;
    double pixel_high_;
};

/// A tick label without needless digits: 0.5, 2, 10, 0.002, 1500.
std::string tick_label(double value);

}  // namespace raftlink::bench
