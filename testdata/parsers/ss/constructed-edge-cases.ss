Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process
tcp   LISTEN 0      4096   [fe80::1%eth0]:8443     [::]:*     users:(("envoy",pid=77,fd=9),("envoy",pid=78,fd=9))
udp   UNCONN 0      0      10.0.0.5%bond0:53      0.0.0.0:*    users:(("named",pid=1234,fd=512)) skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d9)
	 skmem:(r0,rb425984,t0,tb212992,f0,w0,o0,bl0,d18446744073709551616)
udp   UNCONN abc    0      0.0.0.0:68      0.0.0.0:*
 orphan detail line
u_str ESTAB  0      0      /run/dbus/system_bus_socket 22971 * 22118 users:(("dbus-daemon",pid=966,fd=11))
tcp   LISTEN 5
RTNETLINK answers: Invalid argument
