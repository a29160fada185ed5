package wrapper

// Version is this module's version, sent in the User-Agent header, and written
// only here: the release checks read the line below and compare it with
// CHANGELOG.md and api/released/ (see "Releases and compatibility" in the
// README), so keep it a plain "X.Y.Z" string constant.
const Version = "0.2.0"
