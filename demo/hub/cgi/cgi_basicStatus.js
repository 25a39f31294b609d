var serial_no = "%2B091298%2B1999999999";
var fw_ver = "v0%2E16%2E02%2E08304";
var fw_update_time = '2024%2F03%2F01%2003%3A12%3A44';
var ip4_info_list = [['86%2E1%2E2%2E3%3B255%2E255%2E255%2E255%3B172%2E16%2E10%2E1%3B81%2E139%2E57%2E100%3B81%2E139%2E56%2E100'],
null];
var wan_link_status_list = [['disconnected%3B0'],
['connected%3B462385'],
['disconnected%3B0'],
null];
var wan_conn_status_list = [['disconnected%3B0%3Bpass'],
['connected%3B462390%3Bpass'],
['disconnected%3B0%3Bpass'],
null];
var wan_link_rate_list = [['0%3B0%3B0%3B0'],
['18567000%3B65059000%3B0%3B0'],
['0%3B0%3B0%3B0'],
null];
var wan_linestatus_rate_list = [['UP', 'VDSL2', 'Profile%2017a', '31', '58', '186', '83', '202', '83', '130', '74', '65059', '18567', '65682000', '18564000', 'fast'],
null];
var link_status = 'connected%3Bvdsl%3B462385';
var linestatus = [{
    state: 'UP',
    mode: 'VDSL2',
    mod_type: 'Profile%2017a',
    snr_margin_down: '31',
    snr_margin_up: '58',
    latn_down: '186',
    latn_up: '83',
    satn_down: '202',
    satn_up: '83',
    output_power_down: '130',
    output_power_up: '74',
    rate_down: '65059',
    rate_up: '18567',
    attainable_rate_down: '65682000',
    attainable_rate_up: '18564000',
    chantype: 'fast'
},
null];
//bt wifi
var openwifi_suppressed = parseInt("0") && parseInt("1");
var openwifi_enable = parseInt("1") || parseInt("1");
var sysuptime = '973412';
//lan ip
var lan_service_ip = "10%2E1%2E8%2E254";
