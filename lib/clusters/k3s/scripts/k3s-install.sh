# shellcheck shell=bash
# k3s install step shared by servers and agents.

# install_k3s INSTALL_K3S_EXEC=server|agent: downloads the pinned k3s installer (it verifies the binary's
# checksum) and runs it without starting k3s, retried with backoff as a whole.
install_k3s() {
  local -a selinux=()
  # AL2023 runs SELinux permissive; the installer would pull an el8 RPM that does not fit it.
  if [ "$OS_FAMILY" = al2023 ]; then selinux=(INSTALL_K3S_SKIP_SELINUX_RPM=true INSTALL_K3S_SELINUX_WARN=true); fi
  retry run_installer "$STATE_DIR/install-k3s.sh" "$1" "${selinux[@]}"
}

# run_installer FILE VAR=VALUE...: downloads the installer to FILE and runs it with the given environment.
run_installer() {
  local file=$1
  shift
  curl -sfL "https://raw.githubusercontent.com/k3s-io/k3s/${K3S_VERSION/+/%2B}/install.sh" -o "$file" \
    && env INSTALL_K3S_VERSION="$K3S_VERSION" INSTALL_K3S_SKIP_START=true "$@" sh "$file"
}
