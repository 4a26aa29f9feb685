import { Placeholder } from '../components/Placeholder';

export default function UploadPage() {
  return <Placeholder title="nav.upload" />;
}
