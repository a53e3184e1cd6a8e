State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                                                 
UNCONN 7680   0          127.0.0.1:15353      0.0.0.0:*   
	 skmem:(r7680,rb8192,t0,tb212992,f512,w0,o0,bl0,d494) 
UNCONN 0      0            0.0.0.0:51613      0.0.0.0:*   
	 skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)      
UNCONN 2496   0              [::1]:15354         [::]:*   
	 skmem:(r2496,rb212992,t0,tb212992,f1600,w0,o0,bl0,d0)
UNCONN 0      0                  *:54255            *:*   
	 skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)      
