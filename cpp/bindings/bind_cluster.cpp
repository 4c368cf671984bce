#include <utility>
#include <vector>

#include "kamkit/cluster.hpp"
#include "kamkit_py.hpp"

namespace {

using kamkit::bindings::carray;

py::dict kmeans(const carray<double>& X, int k, int n_init, int max_iter, double tol,
                std::uint64_t seed) {
  if (X.ndim() != 2) throw std::invalid_argument("kmeans: features must be 2-D (n, d)");
  const auto n = static_cast<std::size_t>(X.shape(0));
  const auto d = static_cast<std::size_t>(X.shape(1));
  kamkit::KMeansOptions o;
  o.k = k;
  o.n_init = n_init;
  o.max_iter = max_iter;
  o.tol = tol;
  o.seed = seed;
  kamkit::KMeansResult r;
  {
    py::gil_scoped_release release;  // safe: only reads the NumPy buffer of X
    r = kamkit::kmeans(X.data(), n, d, o);
  }
  py::array_t<double> centers({static_cast<py::ssize_t>(k), static_cast<py::ssize_t>(d)});
  std::copy(r.centers.begin(), r.centers.end(), centers.mutable_data());
  py::array_t<std::int32_t> labels(static_cast<py::ssize_t>(n));
  std::copy(r.labels.begin(), r.labels.end(), labels.mutable_data());
  py::dict out;
  out["centers"] = centers;
  out["labels"] = labels;
  out["inertia"] = r.inertia;
  out["n_iter"] = r.n_iter;
  return out;
}

py::tuple standardize(const carray<double>& X) {
  if (X.ndim() != 2) throw std::invalid_argument("standardize: features must be 2-D (n, d)");
  const auto n = static_cast<std::size_t>(X.shape(0));
  const auto d = static_cast<std::size_t>(X.shape(1));
  py::array_t<double> out({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(d)});
  py::array_t<double> mean(static_cast<py::ssize_t>(d)), scale(static_cast<py::ssize_t>(d));
  double* o = out.mutable_data();
  double* mu = mean.mutable_data();
  double* sd = scale.mutable_data();
  const double* x = X.data();
  {
    py::gil_scoped_release release;  // safe: only reads/writes the NumPy buffers held above
    kamkit::standardize(x, n, d, o, mu, sd);
  }
  return py::make_tuple(out, mean, scale);
}

}  // namespace

void bind_cluster(py::module_& m) {
  m.def("kmeans", &kmeans, py::arg("X").noconvert(), py::arg("k"), py::arg("n_init"),
        py::arg("max_iter"), py::arg("tol"), py::arg("seed"),
        "k-means++ seeding and Lloyd iterations (see kamkit.kmeans_segments).");
  m.def("standardize", &standardize, py::arg("X").noconvert(),
        "(Z, mean, scale): columns centred and scaled to unit variance (ddof 0).");
}
