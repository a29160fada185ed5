package wrapper

// Version is this module's version, sent in the User-Agent header. It is the
// one place the version is written: the release checks compare it with
// CHANGELOG.md and with the baselines in api/released/ (see "Releases and
// compatibility" in the README), and the version line below is read by them,
// so keep it a plain "X.Y.Z" string constant.
const Version = "0.2.0"
