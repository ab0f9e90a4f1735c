# shellcheck shell=bash
# Node preparation for kubeadm (prepended to the control-plane and worker scripts): kernel modules, sysctls,
# containerd with systemd cgroups, and pinned kubelet/kubeadm/kubectl from the pkgs.k8s.io repository.

# prepare_node KUBERNETES_VERSION (e.g. 1.33.1) OS_FAMILY (ubuntu | al2023)
prepare_node() {
  local version="$1" minor="${1%.*}"
  mkdir -p "${ROOT}/etc/modules-load.d" "${ROOT}/etc/sysctl.d" "${ROOT}/etc/apt/sources.list.d" "${ROOT}/etc/yum.repos.d"
  printf 'overlay\nbr_netfilter\n' > "${ROOT}/etc/modules-load.d/k8s.conf"
  modprobe overlay
  modprobe br_netfilter
  printf 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n' \
    > "${ROOT}/etc/sysctl.d/k8s.conf"
  sysctl --system >/dev/null
  swapoff -a
  if [ "$2" = ubuntu ]; then
    export DEBIAN_FRONTEND=noninteractive
    retry apt-get update -q
    retry apt-get install -y -q containerd apt-transport-https ca-certificates curl gpg
    mkdir -p "${ROOT}/etc/apt/keyrings"
    retry curl -fsSL "https://pkgs.k8s.io/core:/stable:/v${minor}/deb/Release.key" -o "$STATE_DIR/k8s-release.key"
    gpg --batch --yes --dearmor -o "${ROOT}/etc/apt/keyrings/kubernetes-apt-keyring.gpg" "$STATE_DIR/k8s-release.key"
    echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v${minor}/deb/ /" \
      > "${ROOT}/etc/apt/sources.list.d/kubernetes.list"
    # apt reads keyrings and sources as the unprivileged _apt user.
    chmod 0644 "${ROOT}/etc/apt/keyrings/kubernetes-apt-keyring.gpg" "${ROOT}/etc/apt/sources.list.d/kubernetes.list"
    retry apt-get update -q
    retry apt-get install -y -q "kubelet=${version}-*" "kubeadm=${version}-*" "kubectl=${version}-*"
    apt-mark hold kubelet kubeadm kubectl
  else
    printf '[kubernetes]\nname=Kubernetes\nbaseurl=https://pkgs.k8s.io/core:/stable:/v%s/rpm/\nenabled=1\ngpgcheck=1\ngpgkey=https://pkgs.k8s.io/core:/stable:/v%s/rpm/repodata/repomd.xml.key\nexclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n' \
      "$minor" "$minor" > "${ROOT}/etc/yum.repos.d/kubernetes.repo"
    chmod 0644 "${ROOT}/etc/yum.repos.d/kubernetes.repo"
    retry dnf install -y containerd iptables-nft
    retry dnf install -y --disableexcludes=kubernetes "kubelet-${version}" "kubeadm-${version}" "kubectl-${version}"
  fi
  mkdir -p "${ROOT}/etc/containerd"
  containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/' > "${ROOT}/etc/containerd/config.toml"
  systemctl restart containerd
  systemctl enable --now kubelet
}
