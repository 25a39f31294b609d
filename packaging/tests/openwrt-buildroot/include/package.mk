# Stand-in for OpenWrt's include/package.mk: BuildPackage prints the
# package's definition instead of building it, one "NAME KEY=VALUE" a line.

_pkgvars:=TITLE SECTION CATEGORY URL DEPENDS USERID VARIANT DEFAULT_VARIANT PROVIDES CONFLICTS

define BuildPackage
$(foreach v,$(_pkgvars),$(eval $(v):=))
$(eval $(Package/$(1)))
$(foreach v,$(_pkgvars),$(info $(1) $(v)=$(strip $($(v)))))
$(info $(1) INSTALL=$(strip $(call Package/$(1)/install,/IPKG)))
$(info $(1) CONFFILES=$(strip $(Package/$(1)/conffiles)))
$(info $(1) DESCRIPTION=$(strip $(Package/$(1)/description)))
endef

.PHONY: print-compile
print-compile:
	@echo 'COMPILE=$(strip $(Build/Compile))'
	@echo 'PKG PKG_NAME=$(PKG_NAME)'
	@echo 'PKG PKG_VERSION=$(PKG_VERSION)'
	@echo 'PKG PKG_RELEASE=$(PKG_RELEASE)'
	@echo 'PKG PKG_HASH=$(PKG_HASH)'
	@echo 'PKG PKG_SOURCE=$(PKG_SOURCE)'
	@echo 'PKG PKG_SOURCE_URL=$(PKG_SOURCE_URL)'
	@echo 'PKG PKG_MAINTAINER=$(PKG_MAINTAINER)'
	@echo 'PKG PKG_LICENSE=$(PKG_LICENSE)'
	@echo 'PKG PKG_LICENSE_FILES=$(PKG_LICENSE_FILES)'
