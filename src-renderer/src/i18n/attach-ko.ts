// 소스 선택기(프로브를 포함한 다른 프로세스에 연결)와, 연결 중에 바뀌는 탭의 한국어 문자열
// (ko.ts의 `attach` 아래로 합쳐진다). 형태는 attach-en.ts와 같아야 한다 (AttachMessages 타입으로 검사).
import type { AttachMessages } from './attach-en'

const attachKo: AttachMessages = {
  label: '소스',
  help: '대시보드가 샘플링하는 서버: 내장 서버, 또는 IOCP Monitor 프로브를 포함한 다른 프로세스.',
  builtin: '내장 서버',
  option: '{name} · pid {pid} · 워커 {workers}개',
  unnamed: '(이름 없음)',
  markExited: '종료됨',
  markProblem: '문제',
  noProbes: '프로브를 공개한 다른 프로세스가 없습니다.',
  attaching: '연결 중…',
  detaching: '연결 해제 중…',
  chipAttached: '연결됨: {name} (pid {pid})',
  chipAttachedTitle: '차트, 내보내기, 알림, 녹화가 이 프로세스를 따릅니다.',
  chipExited: '{name} 종료됨',
  exitReason: {
    closed: '프로브를 닫음',
    'process-exited': '프로브를 닫지 않고 끝남',
  },
  exitedTitle: '기록은 남아 있습니다: 차트와 내보내기에서 그 실행을 볼 수 있습니다.',
  attachedFor: '연결 시간',
  detachButton: '연결 해제',
  detachTitle: '이 프로세스의 샘플링을 멈춥니다 (프로세스는 계속 실행됩니다)',
  startHint: '내장 서버를 시작하려면 먼저 연결을 해제하세요',
  loadTarget: '빈 칸은 연결된 프로세스 {name}, {address}을(를) 대상으로 합니다.',
  loadNoPort: '{name}이(가) 포트를 알리지 않았습니다: 대상을 입력하세요.',
}

export default attachKo
