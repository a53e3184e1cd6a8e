State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                          
LISTEN 9      8          127.0.0.1:18080      0.0.0.0:*    users:(("python3",pid=358,fd=3))
LISTEN 0      128          0.0.0.0:2024       0.0.0.0:*                                    
LISTEN 0      4096               *:18443            *:*    users:(("python3",pid=358,fd=4))
