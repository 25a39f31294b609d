# Stand-in for an OpenWrt buildroot's rules.mk, just enough to evaluate
# packaging/openwrt-feed/Makefile off the buildroot: the tests read what it defines.
INCLUDE_DIR:=$(TOPDIR)/include
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_CONF:=install -m0600
PKG_INSTALL_DIR:=/PKG_INSTALL_DIR
