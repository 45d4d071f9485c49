// 안내 실험(components/how-it-works/GuidedExperiments.vue)의 한국어 문자열. ko.ts의 `experiments`로
// 합쳐진다. 형태는 experiments-en.ts와 같아야 한다 (ExperimentsMessages 타입으로 검사).
import type { ExperimentsMessages } from './experiments-en'

const experimentsKo: ExperimentsMessages = {
  title: '안내 실험',
  intro:
    '각 실험은 서버와 부하 실행을 대신 설정하고 몇 초 동안 실행하면서 어디를 보면 되는지 알려 주고, 끝나면 측정한 값을 보여 줍니다. 끝난 뒤에는 서버를 원래대로 되돌립니다: 멈춰 있었다면 멈춘 채로, 실행 중이었다면 원래 설정으로 다시 시작합니다.',
  where: '실험은 서버(또는 서버 탭 양식)의 호스트, 포트, 백엔드를 그대로 사용합니다.',
  attached: '{name}에 연결되어 있는 동안에는 쓸 수 없습니다. 실험마다 내장 서버를 시작하고 다시 시작하는데, 다른 프로세스가 소스인 동안에는 내장 서버를 실행할 수 없습니다. 실험을 하려면 헤더의 소스 목록에서 내장 서버를 고르세요.',
  run: '실행',
  runAgain: '다시 실행',
  stop: '중지',
  stopping: '중지하는 중…',
  restoring: '서버를 되돌리는 중…',
  phase: '{total}단계 중 {n}단계: {name}',
  progress: '실험 진행률',
  watch: '볼 곳',
  show: '서버 탭에서 보기',
  live: '이 단계에서 지금까지 측정한 값',
  summary: '측정 결과',
  setup: '설정',
  expect: '예상되는 결과',
  cancelled: '끝나기 전에 중지했으므로 결론은 없습니다. 서버는 원래대로 되돌렸습니다.',
  restored: '서버를 원래대로 되돌렸습니다.',
  shown: '효과가 측정됨',
  notShown: '효과가 측정되지 않음',
  dash: '—',
  charts: {
    queueDepth: '워커별 큐 깊이',
    bytes: '처리량',
    completions: '초당 완료 수',
    inflight: '진행 중인 작업',
    busy: '워커별 사용률',
    errors: '초당 오류',
    workers: '워커 표',
  },
  metrics: {
    workers: '워커 스레드',
    completionsPerS: '초당 완료 수 (평균)',
    busiestCompletionShare: '가장 바쁜 워커가 처리한 완료 비율',
    busiestBusyShare: '전체 사용 시간 중 가장 바쁜 워커의 몫',
    maxBusy: '가장 바쁜 워커의 사용률',
    peakQueueDepth: '큐 깊이 최댓값 (모든 워커)',
    meanQueueDepth: '가장 깊은 워커 큐의 평균 깊이',
    sendQueueFull: 'send-queue-full (서버)',
    peakSessions: '세션 최댓값',
    endSessions: '실행이 끝날 때의 세션 수',
    bytesOut: '서버가 보낸 바이트',
    bytesOutPerS: '초당 보낸 바이트 (평균)',
    loadResets: '부하 생성기가 본 connection-reset',
    serverResets: '서버가 센 connection-reset',
    halfCloses: '절반 종료(FIN)한 클라이언트',
    backlog: 'listen 백로그',
    connectsPerS: '초당 연결 수 (생성기)',
    connectsOk: '성공한 연결',
    connectsFailed: '연결 실패',
    messageSize: '메시지 크기',
    bytesInPerS: '초당 받은 바이트 (평균)',
    bytesPerCompletion: '완료당 바이트',
  },
  errors: {
    disconnected: '모니터 서비스에 연결되어 있지 않습니다. 연결이 돌아온 뒤 다시 시도하세요.',
    busy: '서버가 시작하거나 멈추는 중입니다. 잠시 후 다시 시도하세요.',
    loadRunning: '부하 실행이 진행 중입니다(부하 탭). 먼저 중지하거나 끝날 때까지 기다리세요.',
    serverStart: '실험용 서버를 시작하지 못해 실험을 멈췄습니다. 서버는 원래대로 되돌렸습니다.',
    loadStart: '실험용 부하 실행을 시작하지 못했습니다. 서버는 원래대로 되돌렸습니다.',
    interrupted: '실험 중에 서버가 멈춰서(헤더에서 중지했거나 실패) 실험이 끝났습니다.',
    restore: '실험은 실행했지만 원래 설정으로 서버를 다시 시작하지 못했습니다.',
  },
  items: {
    workers: {
      title: '워커 1개와 워커 4개',
      what: '같은 에코 부하(연결 50개, 128 B, 연결마다 메시지 4개 동시 진행, 3초)를 워커 스레드 1개로, 이어서 4개로 처리합니다.',
      expect:
        '워커가 하나면 모든 완료가 그 하나의 큐에 쌓이므로 그 워커가 일을 전부 맡고 사용률 선도 하나뿐입니다. 넷이면 나누어 맡습니다. 큐 깊이는 초당 10번 샘플링합니다. Windows(IOCP)에서는 워커 하나의 큐가 쌓이지만, Linux io_uring은 워커가 요청할 때만 완료를 게시하므로 두 단계 모두 깊이가 낮게 나올 때가 많고, 차이는 사용률과 완료 차트에 나타납니다.',
      phases: { one: '워커 1개', four: '워커 4개' },
      steps: {
        one: '워커 하나가 모든 일을 합니다. "워커별 사용률"에는 선이 하나, "초당 완료 수"에는 띠가 하나입니다. 큐 깊이가 올라가는지 보세요.',
        four: '워커 넷이 같은 연결을 나눕니다. "워커별 사용률"에 선이 넷, "초당 완료 수"에 띠가 넷이며 각각 전체의 일부입니다.',
      },
      outcome: {
        shownWithQueue: '가장 바쁜 워커가 처리한 완료 비율은 워커 1개일 때 {oneShare} %, 4개일 때 {fourShare} %였고, 그 워커의 사용률은 {oneBusy} %와 {fourBusy} %였습니다. 가장 깊은 큐는 워커 1개일 때 {onePeak}, 4개일 때 {fourPeak}였습니다.',
        shownQueueFlat: '가장 바쁜 워커가 처리한 완료 비율은 워커 1개일 때 {oneShare} %, 4개일 때 {fourShare} %였고, 그 워커의 사용률은 {oneBusy} %와 {fourBusy} %였습니다. 가장 깊은 큐는 워커 1개일 때 {onePeak}, 4개일 때 {fourPeak}로, 이번에는 큐 깊이에 차이가 드러나지 않았습니다(예상되는 결과 참고).',
        notShown: '워커 1개일 때 일이 더 몰리지 않았습니다({oneShare} %와 {fourShare} %). 컴퓨터가 너무 바빠서 구분되지 않았을 수 있습니다.',
      },
    },
    slowReader: {
      title: '느린 수신자가 송신 큐를 채움',
      what: '워커 하나에서 채팅(모든 메시지가 모든 클라이언트에게 감)을 실행하고 세션별 송신 큐를 512 KiB로 둡니다. 클라이언트 10개가 4 KiB 메시지를 초당 1,000개씩 3초 동안 보냅니다(클라이언트마다 초당 4 MB). 처음에는 모두 읽고, 다음에는 10개 중 하나가 계속 쓰기만 하고 읽지 않습니다.',
      expect:
        '읽지 않는 클라이언트가 있으면 그 클라이언트를 위한 서버의 송신 큐가 한도를 넘을 때까지 커집니다. 그러면 서버는 send-queue-full을 세고 그 세션 하나만 RST로 닫습니다(생성기는 connection-reset을 봅니다). 다른 클라이언트는 계속 받습니다.',
      phases: { allRead: '모두 읽음', oneSlow: '느린 수신자 하나' },
      steps: {
        allRead: '모두 읽는 중입니다. "처리량"에서 보낸 양이 받은 양의 약 10배입니다(메시지마다 클라이언트 10개에게 감). "초당 오류"는 비어 있습니다.',
        oneSlow: '클라이언트 하나가 읽기를 멈췄습니다. 커널 버퍼와 512 KiB 큐가 차면(약 1초) "초당 오류"에 send-queue-full이 나타나고 세션이 하나 줄어듭니다.',
      },
      outcome: {
        shown: 'send-queue-full은 느린 수신자가 있을 때 {full}번, 모두 읽을 때 {before}번 세었고, 세션은 {peakSessions}개에서 {endSessions}개가 되었습니다. 서버는 느린 수신자만 끊고 나머지는 계속 처리했습니다.',
        notShown: 'send-queue-full이 세어지지 않았습니다({full}). 실행 시간 안에 느린 클라이언트의 커널 버퍼가 다 차지 않았을 수 있습니다.',
      },
    },
    closeMode: {
      title: '정상 종료와 강제 종료',
      what: '에코 서버의 종료 방식을 graceful, 이어서 abortive로 둡니다. 클라이언트 20개가 2초 동안 실행되며, 그중 절반은 메시지 4개를 보낸 뒤 송신 쪽을 닫고(FIN) 서버가 닫을 때까지 읽습니다.',
      expect:
        'graceful: 서버가 클라이언트의 FIN에 자기 FIN으로 답하고 클라이언트는 끝까지 읽으며, 어디에도 오류가 없습니다. abortive: 서버가 RST로 닫으므로 연결의 반대편인 클라이언트, 즉 부하 생성기가 connection-reset을 셉니다. 서버 자신은 아무것도 세지 않습니다. 재설정을 고른 쪽이기 때문입니다.',
      phases: { graceful: '정상 종료 (FIN)', abortive: '강제 종료 (RST)' },
      steps: {
        graceful: '정상 종료: 절반 종료한 클라이언트가 FIN을 받고 깔끔하게 끝납니다. "초당 오류"(서버 쪽)에는 아무것도 없고 부하 생성기도 오류를 세지 않습니다.',
        abortive: '강제 종료: 같은 클라이언트가 이제 RST를 받습니다. 서버에는 여전히 오류가 없습니다. 재설정은 클라이언트 쪽, 즉 부하 생성기가 셉니다(부하 탭, 클라이언트 오류).',
      },
      outcome: {
        shown: '부하 생성기는 abortive 종료에서 connection-reset을 {abortive}번(절반 종료한 클라이언트 {halfCloses}개), graceful 종료에서 {graceful}번 셌습니다.',
        notShown: 'connection-reset은 abortive에서 {abortive}번, graceful에서 {graceful}번 세어졌습니다. 이번에는 차이가 드러나지 않았습니다.',
      },
    },
    backlog: {
      title: '작은 백로그에 몰리는 연결 폭주',
      what: '연결 폭주: 클라이언트 200개가 3초 동안 연결하고 닫고 곧바로 다시 연결하기를 반복합니다. 먼저 기본 listen 백로그(1024)로, 이어서 백로그 1로 실행합니다.',
      expect:
        '백로그는 accept를 기다릴 수 있는, 핸드셰이크를 마친 연결의 수입니다. 1이면 새 연결 대부분이 가득 찬 큐를 만납니다. Linux에서는 SYN이 버려지고 클라이언트가 약 1초 뒤에 재시도하므로 연결이 거부되기보다 늦어집니다. 연결 속도는 크게 떨어지지만 연결 실패는 0일 수 있습니다. Windows는 대신 거부합니다(connection-refused).',
      phases: { large: '백로그 1024', small: '백로그 1' },
      steps: {
        large: '백로그 1024: 클라이언트가 다시 연결하는 만큼 빠르게 accept합니다. "초당 완료 수"가 높습니다(accept 하나가 완료 하나).',
        small: '백로그 1: accept 큐가 거의 늘 가득 차 있습니다. 클라이언트가 재시도를 기다리는 동안 "초당 완료 수"가 떨어집니다.',
      },
      outcome: {
        shown: '생성기는 백로그 1024에서 초당 {large}개, 백로그 1에서 초당 {small}개({ratio}배 적게) 연결했고 연결 실패는 {failed}번이었습니다. 작은 백로그는 연결을 거부하기보다 늦췄습니다.',
        notShown: '연결 속도는 백로그 1024에서 초당 {large}개, 백로그 1에서 초당 {small}개였습니다. 이번에는 작은 백로그가 폭주를 늦추지 않았습니다.',
      },
    },
    sizeSweep: {
      title: '메시지 크기 바꾸기',
      what: '같은 에코 연결 20개로 64 B, 1 KiB, 16 KiB 메시지를 각각 2.5초씩 보냅니다.',
      expect:
        '메시지 하나에 드는 완료 수는 크기와 상관없이 거의 같으므로, 초당 바이트는 크기에 따라 늘고 초당 완료 수는 비슷하거나 줄어듭니다(큰 메시지는 복사가 오래 걸립니다). 완료당 바이트는 완료 하나가 실어 나른 양을 보여 줍니다.',
      phases: { s64: '64 B', s1k: '1 KiB', s16k: '16 KiB' },
      steps: {
        s64: '작은 메시지: 완료는 많고 바이트는 적습니다. "처리량"과 "초당 완료 수"를 비교해 보세요.',
        s1k: '1 KiB: "처리량"이 한 단계 오르고 "초당 완료 수"는 거의 그대로입니다.',
        s16k: '16 KiB: "처리량"이 다시 오르지만 "초당 완료 수"는 따라 오르지 않습니다.',
      },
      outcome: {
        shownFalls: '64 B에서 16 KiB로 가는 동안 초당 받은 바이트는 {bytesRatio}배가 되었고 초당 완료 수는 {completionsRatio}배가 되었습니다. 일은 바이트가 아니라 완료 단위로 듭니다.',
        shownFlat: '64 B에서 16 KiB로 가는 동안 초당 받은 바이트는 {bytesRatio}배가 되었고 초당 완료 수는 {completionsRatio}배에 그쳤습니다. 일은 바이트가 아니라 완료 단위로 듭니다.',
        notShown: '이번에는 메시지 크기를 키울 때마다 초당 바이트가 늘지는 않았습니다(64 B에서 16 KiB까지 {bytesRatio}배).',
      },
    },
  },
}

export default experimentsKo
